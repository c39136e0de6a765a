package cognito

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// clientInfo is what the layer needs of an app client, read from moto with DescribeUserPoolClient
// (moto stores these settings but does not act on them) and cached until the client or its pool
// changes through this layer.
type clientInfo struct {
	ID, PoolID string
	// preventExistence is PreventUserExistenceErrors=ENABLED. Absent means LEGACY, Cognito's
	// default for clients created through the API (UserPoolClientType.PreventUserExistenceErrors:
	// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UserPoolClientType.html).
	preventExistence bool
	revocation       bool
	authSession      time.Duration
	idValidity       time.Duration
	accessValidity   time.Duration
}

// poolInfo is what the layer needs of a user pool.
type poolInfo struct {
	adminCreateOnly bool // AdminCreateUserConfig.AllowAdminCreateUserOnly: SignUp is refused
	autoVerifyEmail bool // confirming a sign-up by the emailed code or link verifies the email
}

// client returns the app client's settings, or ResourceNotFoundException as Cognito answers
// for a client id that does not exist.
func (f *Front) client(ctx context.Context, clientID string) (*clientInfo, error) {
	f.mu.Lock()
	ci, ok := f.clients[clientID]
	f.mu.Unlock()
	if ok {
		return ci, nil
	}
	poolID, err := f.findPool(ctx, clientID)
	if err != nil {
		return nil, err
	}
	out, err := f.admin.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: &poolID, ClientId: &clientID})
	if err != nil {
		return nil, fmt.Errorf("describe client of pool %s: %w", poolID, err)
	}
	c := out.UserPoolClient
	units := c.TokenValidityUnits
	if units == nil {
		units = &types.TokenValidityUnitsType{}
	}
	ci = &clientInfo{
		ID:               clientID,
		PoolID:           poolID,
		preventExistence: c.PreventUserExistenceErrors == types.PreventUserExistenceErrorTypesEnabled,
		// Cognito enables revocation on clients created after it shipped (EnableTokenRevocation:
		// "true by default"), so an absent value counts as enabled.
		revocation:     c.EnableTokenRevocation == nil || *c.EnableTokenRevocation,
		authSession:    minutes(c.AuthSessionValidity, 3),
		idValidity:     validity(c.IdTokenValidity, units.IdToken),
		accessValidity: validity(c.AccessTokenValidity, units.AccessToken),
	}
	f.mu.Lock()
	f.clients[clientID] = ci
	f.mu.Unlock()
	return ci, nil
}

// findPool finds the pool holding clientID: Cognito's public operations name only the client.
func (f *Front) findPool(ctx context.Context, clientID string) (string, error) {
	pools := cip.NewListUserPoolsPaginator(f.admin, &cip.ListUserPoolsInput{MaxResults: aws.Int32(60)})
	for pools.HasMorePages() {
		page, err := pools.NextPage(ctx)
		if err != nil {
			return "", fmt.Errorf("list user pools: %w", err)
		}
		for _, p := range page.UserPools {
			clients := cip.NewListUserPoolClientsPaginator(f.admin, &cip.ListUserPoolClientsInput{UserPoolId: p.Id, MaxResults: aws.Int32(60)})
			for clients.HasMorePages() {
				cp, err := clients.NextPage(ctx)
				if err != nil {
					return "", fmt.Errorf("list clients of pool %s: %w", aws.ToString(p.Id), err)
				}
				if slices.ContainsFunc(cp.UserPoolClients, func(c types.UserPoolClientDescription) bool { return aws.ToString(c.ClientId) == clientID }) {
					return aws.ToString(p.Id), nil
				}
			}
		}
	}
	return "", errorf("ResourceNotFoundException", "User pool client "+clientID+" does not exist.")
}

// pool returns the pool's settings.
func (f *Front) pool(ctx context.Context, poolID string) (*poolInfo, error) {
	f.mu.Lock()
	pi, ok := f.pools[poolID]
	f.mu.Unlock()
	if ok {
		return pi, nil
	}
	out, err := f.admin.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &poolID})
	if err != nil {
		var nf *types.ResourceNotFoundException
		if errors.As(err, &nf) {
			return nil, errorf("ResourceNotFoundException", "User pool "+poolID+" does not exist.")
		}
		return nil, fmt.Errorf("describe pool %s: %w", poolID, err)
	}
	p := out.UserPool
	pi = &poolInfo{
		adminCreateOnly: p.AdminCreateUserConfig != nil && p.AdminCreateUserConfig.AllowAdminCreateUserOnly,
		autoVerifyEmail: slices.Contains(p.AutoVerifiedAttributes, types.VerifiedAttributeTypeEmail),
	}
	f.mu.Lock()
	f.pools[poolID] = pi
	f.mu.Unlock()
	return pi, nil
}

// forgetConfig drops cached settings after an operation that may change them.
func (f *Front) forgetConfig() {
	f.mu.Lock()
	defer f.mu.Unlock()
	clear(f.clients)
	clear(f.pools)
}

func minutes(v *int32, def int32) time.Duration {
	if v == nil || *v <= 0 {
		return time.Duration(def) * time.Minute
	}
	return time.Duration(*v) * time.Minute
}

// validity is an ID or access token's lifetime: the client's value in its unit, hours by default,
// one hour when unset (UserPoolClientType.IdTokenValidity / AccessTokenValidity / TokenValidityUnits,
// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UserPoolClientType.html).
func validity(v *int32, unit types.TimeUnitsType) time.Duration {
	if v == nil || *v <= 0 {
		return time.Hour
	}
	n := time.Duration(*v)
	switch unit {
	case types.TimeUnitsTypeSeconds:
		return n * time.Second
	case types.TimeUnitsTypeMinutes:
		return n * time.Minute
	case types.TimeUnitsTypeDays:
		return n * 24 * time.Hour
	default:
		return n * time.Hour
	}
}
