package apigateway

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/textproto"

	"github.com/example/cognito-sam-go/internal/emulator/apigateway/authorizer"
)

// poolAuthorizer is one cognito_user_pools security definition: its identity source header and a
// verifier per pool of its providerARNs.
type poolAuthorizer struct {
	header string // canonical form of the identity source header
	pools  []*authorizer.Authorizer
}

func newAuthorizers(ctx context.Context, defs map[string]securityDefinition, cfg Config) (map[string]*poolAuthorizer, error) {
	out := map[string]*poolAuthorizer{}
	for name, def := range defs {
		if def.Authorizer == nil || def.Authorizer.Type != "cognito_user_pools" {
			continue
		}
		if def.In != "header" || def.Name == "" {
			return nil, fmt.Errorf("apigateway: authorizer %s: identity source must be a header", name)
		}
		pa := &poolAuthorizer{header: textproto.CanonicalMIMEHeaderKey(def.Name)}
		for _, arn := range def.Authorizer.ProviderARNs {
			pool, ok := cfg.Pools[arn]
			if !ok {
				return nil, fmt.Errorf("apigateway: authorizer %s names pool %s, which Config.Pools does not have", name, arn)
			}
			v, err := authorizer.New(ctx, authorizer.Config{Issuer: pool.Issuer, JWKSURL: pool.JWKSURL,
				HTTPClient: cfg.JWKSClient, Now: cfg.Now, Logger: cfg.Logger})
			if err != nil {
				return nil, fmt.Errorf("apigateway: authorizer %s, pool %s: %w", name, arn, err)
			}
			pa.pools = append(pa.pools, v)
		}
		if len(pa.pools) == 0 {
			return nil, fmt.Errorf("apigateway: authorizer %s has no providerARNs", name)
		}
		out[name] = pa
	}
	return out, nil
}

// authorize checks the identity header and returns the claims, or the gateway error to answer.
// The header must appear exactly once: the function receives the last value of a repeated header
// while a verifier could read another, and API Gateway does not document which one its authorizer
// reads, so the safe side is to refuse (401) rather than authorize one value and pass on another.
func (pa *poolAuthorizer) authorize(r *http.Request, rc *requestContext) (map[string]string, *gatewayError) {
	values := r.Header[pa.header]
	switch {
	case len(values) == 0:
		rc.reason = "no " + pa.header + " header"
		return nil, &errUnauthorized
	case len(values) > 1:
		rc.reason = pa.header + " header sent more than once"
		return nil, &errUnauthorized
	}
	expired := false
	for _, pool := range pa.pools {
		claims, reason, err := pool.Verify(values[0])
		if err == nil {
			return claims, nil
		}
		rc.reason = reason
		expired = expired || errors.Is(err, authorizer.ErrExpired)
	}
	if expired {
		rc.reason = "token expired"
		return nil, &errExpired
	}
	return nil, &errUnauthorized
}
