package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/example/cognito-sam-go/internal/emulator/cognito"
)

// The user the login event (internal/login/testdata/login-request.json) signs in as.
const (
	benchUser     = "alice@example.com"
	benchPassword = "Correct-Horse-9!"
)

// benchCognito is the project's Cognito emulation, in this process on loopback, with a pool, an app
// client and a confirmed user: the login function's InitiateAuth really signs in, as on AWS.
type benchCognito struct {
	em       *cognito.Emulator
	srv      *cognito.Server
	clientID string
}

func startCognito(ctx context.Context) (*benchCognito, error) {
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	em, err := cognito.New(cognito.Options{Region: benchRegion, Logger: log})
	if err != nil {
		return nil, fmt.Errorf("start the Cognito emulation: %w", err)
	}
	srv, err := cognito.Listen(em, "127.0.0.1:0", log)
	if err != nil {
		em.Close()
		return nil, fmt.Errorf("serve the Cognito emulation: %w", err)
	}
	c := &benchCognito{em: em, srv: srv}
	if err := c.provision(ctx); err != nil {
		c.close()
		return nil, fmt.Errorf("provision the Cognito emulation: %w", err)
	}
	return c, nil
}

// provision makes a pool with email usernames, a public client allowing USER_PASSWORD_AUTH (as
// api-stack/template.yaml's) and the confirmed user.
func (c *benchCognito) provision(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	api := cip.New(cip.Options{Region: benchRegion, BaseEndpoint: aws.String(c.srv.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")})
	pool, err := api.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("coldstart"),
		UsernameAttributes:    []types.UsernameAttributeType{types.UsernameAttributeTypeEmail},
		UsernameConfiguration: &types.UsernameConfigurationType{CaseSensitive: aws.Bool(false)}})
	if err != nil {
		return err
	}
	poolID := pool.UserPool.Id
	client, err := api.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: poolID,
		ClientName: aws.String("coldstart"), ExplicitAuthFlows: []types.ExplicitAuthFlowsType{
			types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}})
	if err != nil {
		return err
	}
	c.clientID = aws.ToString(client.UserPoolClient.ClientId)
	if _, err := api.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: poolID, Username: aws.String(benchUser),
		MessageAction: types.MessageActionTypeSuppress, UserAttributes: []types.AttributeType{
			{Name: aws.String("email"), Value: aws.String(benchUser)},
			{Name: aws.String("email_verified"), Value: aws.String("true")}}}); err != nil {
		return err
	}
	_, err = api.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: poolID,
		Username: aws.String(benchUser), Password: aws.String(benchPassword), Permanent: true})
	return err
}

// backend is the emulation's host:port, what the HTTPS fronts forward to.
func (c *benchCognito) backend() string { return strings.TrimPrefix(c.srv.URL, "http://") }

func (c *benchCognito) close() {
	c.srv.Close()
	_ = c.em.Close()
}
