package cognito_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/golang-jwt/jwt/v5"

	"github.com/example/cognito-sam-go/internal/emulator/apigateway/authorizer"
)

func TestTokenValidityOfTheClientInExpiresInAndExp(t *testing.T) {
	e := newEnv(t)
	pool := e.createPool(t, false)
	cases := []struct {
		name       string
		set        func(*cip.CreateUserPoolClientInput)
		id, access time.Duration
	}{
		{name: "Cognito's default of one hour", id: time.Hour, access: time.Hour},
		{name: "minutes as the template sets them", id: 5 * time.Minute, access: 10 * time.Minute,
			set: func(in *cip.CreateUserPoolClientInput) {
				in.IdTokenValidity, in.AccessTokenValidity = aws.Int32(5), aws.Int32(10)
				in.TokenValidityUnits = &types.TokenValidityUnitsType{IdToken: types.TimeUnitsTypeMinutes, AccessToken: types.TimeUnitsTypeMinutes}
			}},
		{name: "hours when no unit is given", id: 2 * time.Hour, access: 3 * time.Hour,
			set: func(in *cip.CreateUserPoolClientInput) {
				in.IdTokenValidity, in.AccessTokenValidity = aws.Int32(2), aws.Int32(3)
			}},
	}
	verifier, err := authorizer.New(context.Background(), authorizer.Config{
		Issuer:  "https://cognito-idp." + region + ".amazonaws.com/" + pool,
		JWKSURL: e.url + "/" + pool + "/.well-known/jwks.json",
	})
	if err != nil {
		t.Fatalf("the authorizer cannot fetch the pool's JWKS: %v", err)
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			client := e.createClient(t, pool, tc.set)
			user := "valid" + string(rune('a'+i)) + "@example.com"
			e.confirmedUser(t, pool, user)
			login, err := e.login(t, client, user, goodPassword)
			if err != nil {
				t.Fatal(err)
			}
			refreshed, err := e.api.InitiateAuth(ctx(t), &cip.InitiateAuthInput{ClientId: aws.String(client), AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
				AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(login.AuthenticationResult.RefreshToken)}})
			if err != nil {
				t.Fatal(err)
			}
			for name, r := range map[string]*types.AuthenticationResultType{"sign-in": login.AuthenticationResult, "refresh": refreshed.AuthenticationResult} {
				if got := time.Duration(r.ExpiresIn) * time.Second; got != tc.access {
					t.Errorf("%s: ExpiresIn %s, want %s", name, got, tc.access)
				}
				idClaims := lifetime(t, aws.ToString(r.IdToken), tc.id)
				lifetime(t, aws.ToString(r.AccessToken), tc.access)
				if idClaims["iss"] != "https://cognito-idp."+region+".amazonaws.com/"+pool || idClaims["aud"] != client || idClaims["email"] != user {
					t.Errorf("%s: claims %v", name, idClaims)
				}
				claims, err := verifier.Authorize("Bearer " + aws.ToString(r.IdToken))
				if err != nil {
					t.Fatalf("%s: the authorizer refuses the ID token: %v", name, err)
				}
				if claims["token_use"] != "id" {
					t.Errorf("%s: authorizer claims %v", name, claims)
				}
			}
		})
	}
}

// lifetime checks that the token's exp is iat plus want, and returns its claims.
func lifetime(t *testing.T, token string, want time.Duration) jwt.MapClaims {
	t.Helper()
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(token, claims); err != nil {
		t.Fatal(err)
	}
	iat, err1 := claims.GetIssuedAt()
	exp, err2 := claims.GetExpirationTime()
	if err1 != nil || err2 != nil || iat == nil || exp == nil {
		t.Fatalf("iat/exp: %v %v", err1, err2)
	}
	if got := exp.Sub(iat.Time); got != want {
		t.Errorf("%s token lives %s, want %s", claims["token_use"], got, want)
	}
	return claims
}

func TestJWKSServedForExistingPoolsOnly(t *testing.T) {
	e := newEnv(t)
	pool := e.createPool(t, false)
	cases := []struct {
		path string
		want int
	}{
		{"/" + pool + "/.well-known/jwks.json", http.StatusOK},
		{"/us-east-1_nosuchpool/.well-known/jwks.json", http.StatusNotFound},
	}
	for _, tc := range cases {
		resp, err := http.Get(e.url + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("GET %s: %d, want %d", tc.path, resp.StatusCode, tc.want)
		}
	}
}
