package cognito

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// user is what the layer needs of an account.
type user struct {
	Username      string // the immutable user name (the sub, in pools where email is the username)
	Status        types.UserStatusType
	Enabled       bool
	Email         string
	EmailVerified bool
}

// lookupUser finds name (a user name or an alias such as the email) in the pool; nil when there is
// no such user.
func (f *Front) lookupUser(ctx context.Context, poolID, name string) (*user, error) {
	if name == "" {
		return nil, nil
	}
	out, err := f.admin.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &poolID, Username: &name})
	if err != nil {
		var nf *types.UserNotFoundException
		if errors.As(err, &nf) {
			return nil, nil
		}
		return nil, fmt.Errorf("look up a user of pool %s: %w", poolID, err)
	}
	u := &user{Username: aws.ToString(out.Username), Status: out.UserStatus, Enabled: out.Enabled}
	for _, a := range out.UserAttributes {
		switch aws.ToString(a.Name) {
		case "email":
			u.Email = aws.ToString(a.Value)
		case "email_verified":
			u.EmailVerified = aws.ToString(a.Value) == "true"
		}
	}
	return u, nil
}

// delivery is the CodeDeliveryDetails of a message emailed to address. Real and simulated
// deliveries are built alike, so that their shape tells nothing about the account.
func delivery(address string) map[string]string {
	return map[string]string{"Destination": maskEmail(address), "DeliveryMedium": "EMAIL", "AttributeName": "email"}
}

// maskEmail masks an address as Cognito's CodeDeliveryDetails do: jane@example.com is j***@e***.com.
func maskEmail(address string) string {
	local, domain, ok := strings.Cut(address, "@")
	if !ok || local == "" || domain == "" {
		return "***"
	}
	tld := ""
	if i := strings.LastIndex(domain, "."); i > 0 {
		tld = domain[i:]
	}
	return local[:1] + "***@" + domain[:1] + "***" + tld
}
