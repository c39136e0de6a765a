package localstack

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/example/cognito-sam-go/internal/emulator/cloudformation"
)

// cognitoProviders create the templates' Cognito resources in the emulator, from their properties.
type cognitoProviders struct {
	client *cip.Client
	logger *slog.Logger
}

// providers maps each Cognito resource type to its creation.
func (p *cognitoProviders) providers() map[string]cloudformation.Provider {
	m := map[string]cloudformation.Provider{}
	for _, typ := range []string{"AWS::Cognito::UserPool", "AWS::Cognito::UserPoolDomain", "AWS::Cognito::UserPoolClient"} {
		m[typ] = func(ctx context.Context, id string, props map[string]any) (cloudformation.Created, error) {
			return p.create(ctx, id, typ, props)
		}
	}
	return m
}

func (p *cognitoProviders) create(ctx context.Context, id, typ string, props map[string]any) (cloudformation.Created, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	region := p.client.Options().Region
	switch typ {
	case "AWS::Cognito::UserPool":
		var in cip.CreateUserPoolInput
		// CloudFormation names the pool UserPoolName; the API calls it PoolName.
		if err := fromProperties(props, map[string]string{"UserPoolName": "PoolName"}, &in); err != nil {
			return cloudformation.Created{}, err
		}
		poolID, err := p.existingPool(ctx, aws.ToString(in.PoolName))
		if err != nil {
			return cloudformation.Created{}, err
		}
		if poolID != "" {
			if err := p.updatePool(ctx, poolID, props); err != nil {
				return cloudformation.Created{}, err
			}
			p.logger.Info("kept user pool from the state", "resource", id, "userPoolId", poolID)
		} else {
			out, err := p.client.CreateUserPool(ctx, &in)
			if err != nil {
				return cloudformation.Created{}, fmt.Errorf("CreateUserPool: %w", err)
			}
			poolID = aws.ToString(out.UserPool.Id)
			p.logger.Info("created user pool", "resource", id, "userPoolId", poolID)
		}
		arn := "arn:aws:cognito-idp:" + region + ":000000000000:userpool/" + poolID
		// Fn::GetAtt attributes as AWS::Cognito::UserPool documents them.
		return cloudformation.Created{Ref: poolID, Attrs: map[string]string{
			"Arn": arn, "UserPoolId": poolID,
			"ProviderName": "cognito-idp." + region + ".amazonaws.com/" + poolID,
			"ProviderURL":  "https://cognito-idp." + region + ".amazonaws.com/" + poolID,
		}}, nil
	case "AWS::Cognito::UserPoolDomain":
		var in cip.CreateUserPoolDomainInput
		if err := fromProperties(props, nil, &in); err != nil {
			return cloudformation.Created{}, err
		}
		d, err := p.client.DescribeUserPoolDomain(ctx, &cip.DescribeUserPoolDomainInput{Domain: in.Domain})
		if err != nil {
			return cloudformation.Created{}, fmt.Errorf("DescribeUserPoolDomain: %w", err)
		}
		if d.DomainDescription == nil || aws.ToString(d.DomainDescription.UserPoolId) != aws.ToString(in.UserPoolId) {
			if _, err := p.client.CreateUserPoolDomain(ctx, &in); err != nil {
				return cloudformation.Created{}, fmt.Errorf("CreateUserPoolDomain: %w", err)
			}
		}
		p.logger.Info("created user pool domain", "resource", id, "domain", aws.ToString(in.Domain))
		return cloudformation.Created{Ref: aws.ToString(in.Domain)}, nil
	default: // AWS::Cognito::UserPoolClient
		var in cip.CreateUserPoolClientInput
		if err := fromProperties(props, nil, &in); err != nil {
			return cloudformation.Created{}, err
		}
		clientID, err := p.existingClient(ctx, aws.ToString(in.UserPoolId), aws.ToString(in.ClientName))
		if err != nil {
			return cloudformation.Created{}, err
		}
		if clientID != "" {
			var up cip.UpdateUserPoolClientInput
			if err := fromProperties(without(props, "GenerateSecret"), nil, &up); err != nil {
				return cloudformation.Created{}, err
			}
			up.ClientId = &clientID
			if _, err := p.client.UpdateUserPoolClient(ctx, &up); err != nil {
				return cloudformation.Created{}, fmt.Errorf("UpdateUserPoolClient: %w", err)
			}
			p.logger.Info("kept user pool client from the state", "resource", id, "clientId", clientID)
		} else {
			out, err := p.client.CreateUserPoolClient(ctx, &in)
			if err != nil {
				return cloudformation.Created{}, fmt.Errorf("CreateUserPoolClient: %w", err)
			}
			clientID = aws.ToString(out.UserPoolClient.ClientId)
			p.logger.Info("created user pool client", "resource", id, "clientId", clientID)
		}
		return cloudformation.Created{Ref: clientID, Attrs: map[string]string{"Name": aws.ToString(in.ClientName), "ClientId": clientID}}, nil
	}
}

// A restarted stack finds the pool and client its state holds, by the names the templates give them
// (as CloudFormation updates a stack's resources in place rather than making new ones), so ids,
// users and tokens survive the restart; the templates' current properties are applied to them.

// existingPool is the id of the pool named name, or "".
func (p *cognitoProviders) existingPool(ctx context.Context, name string) (string, error) {
	pages := cip.NewListUserPoolsPaginator(p.client, &cip.ListUserPoolsInput{MaxResults: aws.Int32(60)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return "", fmt.Errorf("ListUserPools: %w", err)
		}
		for _, up := range page.UserPools {
			if aws.ToString(up.Name) == name {
				return aws.ToString(up.Id), nil
			}
		}
	}
	return "", nil
}

// updatePool applies the template's properties to a kept pool: all but those fixed at creation.
func (p *cognitoProviders) updatePool(ctx context.Context, poolID string, props map[string]any) error {
	var up cip.UpdateUserPoolInput
	fixed := without(props, "UserPoolName", "UsernameAttributes", "AliasAttributes", "UsernameConfiguration", "Schema")
	if err := fromProperties(fixed, nil, &up); err != nil {
		return err
	}
	up.UserPoolId = &poolID
	if _, err := p.client.UpdateUserPool(ctx, &up); err != nil {
		return fmt.Errorf("UpdateUserPool: %w", err)
	}
	return nil
}

// existingClient is the id of the pool's client named name, or "".
func (p *cognitoProviders) existingClient(ctx context.Context, poolID, name string) (string, error) {
	pages := cip.NewListUserPoolClientsPaginator(p.client, &cip.ListUserPoolClientsInput{UserPoolId: &poolID, MaxResults: aws.Int32(60)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return "", fmt.Errorf("ListUserPoolClients: %w", err)
		}
		for _, c := range page.UserPoolClients {
			if aws.ToString(c.ClientName) == name {
				return aws.ToString(c.ClientId), nil
			}
		}
	}
	return "", nil
}

func without(props map[string]any, keys ...string) map[string]any {
	out := make(map[string]any, len(props))
	for k, v := range props {
		out[k] = v
	}
	for _, k := range keys {
		delete(out, k)
	}
	return out
}

// fromProperties fills an SDK input from CloudFormation properties. Both use the service's own
// member names (renames lists the exceptions), so a JSON round trip maps them with no per-field
// code; a property the API does not know is an error rather than a silently dropped setting.
func fromProperties(props map[string]any, renames map[string]string, dst any) error {
	renamed := make(map[string]any, len(props))
	for k, v := range props {
		if to, ok := renames[k]; ok {
			k = to
		}
		renamed[k] = v
	}
	raw, err := json.Marshal(renamed)
	if err != nil {
		return fmt.Errorf("encode properties: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return fmt.Errorf("properties do not map onto the Cognito API: %w", err)
	}
	return nil
}
