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
	// wait blocks until the emulator answers (or failed to start).
	wait func(context.Context) error
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
	if err := p.wait(ctx); err != nil {
		return cloudformation.Created{}, err
	}
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
		out, err := p.client.CreateUserPool(ctx, &in)
		if err != nil {
			return cloudformation.Created{}, fmt.Errorf("CreateUserPool: %w", err)
		}
		poolID := aws.ToString(out.UserPool.Id)
		p.logger.Info("created user pool", "resource", id, "userPoolId", poolID)
		// Fn::GetAtt attributes as AWS::Cognito::UserPool documents them.
		return cloudformation.Created{Ref: poolID, Attrs: map[string]string{
			"Arn": aws.ToString(out.UserPool.Arn), "UserPoolId": poolID,
			"ProviderName": "cognito-idp." + region + ".amazonaws.com/" + poolID,
			"ProviderURL":  "https://cognito-idp." + region + ".amazonaws.com/" + poolID,
		}}, nil
	case "AWS::Cognito::UserPoolDomain":
		var in cip.CreateUserPoolDomainInput
		if err := fromProperties(props, nil, &in); err != nil {
			return cloudformation.Created{}, err
		}
		if _, err := p.client.CreateUserPoolDomain(ctx, &in); err != nil {
			return cloudformation.Created{}, fmt.Errorf("CreateUserPoolDomain: %w", err)
		}
		p.logger.Info("created user pool domain", "resource", id, "domain", aws.ToString(in.Domain))
		return cloudformation.Created{Ref: aws.ToString(in.Domain)}, nil
	default: // AWS::Cognito::UserPoolClient
		var in cip.CreateUserPoolClientInput
		if err := fromProperties(props, nil, &in); err != nil {
			return cloudformation.Created{}, err
		}
		out, err := p.client.CreateUserPoolClient(ctx, &in)
		if err != nil {
			return cloudformation.Created{}, fmt.Errorf("CreateUserPoolClient: %w", err)
		}
		clientID := aws.ToString(out.UserPoolClient.ClientId)
		p.logger.Info("created user pool client", "resource", id, "clientId", clientID)
		return cloudformation.Created{Ref: clientID, Attrs: map[string]string{"Name": aws.ToString(out.UserPoolClient.ClientName), "ClientId": clientID}}, nil
	}
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
