package cognito

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// poolSettings is what the emulator acts on of a pool's configuration.
type poolSettings struct {
	emailUsername   bool // UsernameAttributes [email]: the user name is a generated id, users sign in by email
	caseSensitive   bool
	autoVerifyEmail bool
	adminCreateOnly bool
	policy          passwordPolicy
	deletionProtect bool
	verifyByLink    bool
}

// clientSettings is what the emulator acts on of an app client's configuration.
type clientSettings struct {
	flows            []types.ExplicitAuthFlowsType
	preventExistence bool
	revocation       bool
	authSession      time.Duration
	idValidity       time.Duration
	accessValidity   time.Duration
	refreshValidity  time.Duration
}

func parsePoolSettings(config json.RawMessage) (poolSettings, error) {
	var in cip.CreateUserPoolInput
	if err := json.Unmarshal(config, &in); err != nil {
		return poolSettings{}, fmt.Errorf("pool configuration: %w", err)
	}
	s := poolSettings{
		emailUsername:   slices.Contains(in.UsernameAttributes, types.UsernameAttributeTypeEmail),
		caseSensitive:   in.UsernameConfiguration != nil && in.UsernameConfiguration.CaseSensitive != nil && *in.UsernameConfiguration.CaseSensitive,
		autoVerifyEmail: slices.Contains(in.AutoVerifiedAttributes, types.VerifiedAttributeTypeEmail),
		adminCreateOnly: in.AdminCreateUserConfig != nil && in.AdminCreateUserConfig.AllowAdminCreateUserOnly,
		deletionProtect: in.DeletionProtection == types.DeletionProtectionTypeActive,
		verifyByLink: in.VerificationMessageTemplate != nil &&
			in.VerificationMessageTemplate.DefaultEmailOption == types.DefaultEmailOptionTypeConfirmWithLink,
		policy: defaultPolicy,
	}
	if in.Policies != nil && in.Policies.PasswordPolicy != nil {
		pp := in.Policies.PasswordPolicy
		s.policy = passwordPolicy{minLength: 8, upper: pp.RequireUppercase, lower: pp.RequireLowercase,
			numbers: pp.RequireNumbers, symbols: pp.RequireSymbols, tempDays: 7}
		if pp.MinimumLength != nil {
			s.policy.minLength = int(*pp.MinimumLength)
		}
		if pp.TemporaryPasswordValidityDays > 0 {
			s.policy.tempDays = int(pp.TemporaryPasswordValidityDays)
		}
	}
	return s, nil
}

func parseClientSettings(config json.RawMessage) (clientSettings, error) {
	var in cip.CreateUserPoolClientInput
	if err := json.Unmarshal(config, &in); err != nil {
		return clientSettings{}, fmt.Errorf("client configuration: %w", err)
	}
	units := in.TokenValidityUnits
	if units == nil {
		units = &types.TokenValidityUnitsType{}
	}
	s := clientSettings{
		flows: in.ExplicitAuthFlows,
		// Absent means LEGACY for clients made through the API (UserPoolClientType.PreventUserExistenceErrors,
		// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UserPoolClientType.html).
		preventExistence: in.PreventUserExistenceErrors == types.PreventUserExistenceErrorTypesEnabled,
		// EnableTokenRevocation: "true by default" for new clients (same page).
		revocation:      in.EnableTokenRevocation == nil || *in.EnableTokenRevocation,
		authSession:     minutesOr(in.AuthSessionValidity, 3),
		idValidity:      validity(in.IdTokenValidity, units.IdToken, time.Hour),
		accessValidity:  validity(in.AccessTokenValidity, units.AccessToken, time.Hour),
		refreshValidity: validity(&in.RefreshTokenValidity, unitOr(units.RefreshToken, types.TimeUnitsTypeDays), 30*24*time.Hour),
	}
	if len(s.flows) == 0 {
		// "If you don't specify a value for ExplicitAuthFlows, your user client supports
		// ALLOW_REFRESH_TOKEN_AUTH, ALLOW_USER_SRP_AUTH, and ALLOW_CUSTOM_AUTH" (same page).
		s.flows = []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth,
			types.ExplicitAuthFlowsTypeAllowUserSrpAuth, types.ExplicitAuthFlowsTypeAllowCustomAuth}
	}
	return s, nil
}

// allows says whether the client accepts an auth flow, by its ALLOW_ name or the legacy one.
func (s clientSettings) allows(allow, legacy types.ExplicitAuthFlowsType) bool {
	return slices.Contains(s.flows, allow) || (legacy != "" && slices.Contains(s.flows, legacy))
}

func minutesOr(v *int32, def int32) time.Duration {
	if v == nil || *v <= 0 {
		return time.Duration(def) * time.Minute
	}
	return time.Duration(*v) * time.Minute
}

func unitOr(u, def types.TimeUnitsType) types.TimeUnitsType {
	if u == "" {
		return def
	}
	return u
}

// validity is a token's lifetime: the client's value in its unit (hours by default for ID and access
// tokens, days for refresh tokens), def when unset (UserPoolClientType, same page).
func validity(v *int32, unit types.TimeUnitsType, def time.Duration) time.Duration {
	if v == nil || *v <= 0 {
		return def
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
