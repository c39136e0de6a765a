package testusers

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

// User is a user of the pool as list prints it and sweep considers it.
type User struct {
	Username string // Cognito's username (the sub, when email is the pool's username attribute)
	Email    string
	Status   string // CONFIRMED, UNCONFIRMED, FORCE_CHANGE_PASSWORD, ...
	Enabled  bool
	Created  time.Time // zero when Cognito did not say
}

func (a *App) list(ctx context.Context, args []string) error {
	var c common
	var prefix string
	fs := a.flags("list", "Prints the pool's users, oldest first: email, status, enabled, created. Nothing is changed.", &c)
	fs.StringVar(&prefix, "prefix", "", "only users whose email starts with this (default: every user)")
	if err := a.parse(fs, args, &c); err != nil {
		return err
	}
	if prefix != "" {
		if err := checkPrefix(prefix); err != nil {
			return err
		}
	}
	client, err := a.NewClient(ctx)
	if err != nil {
		return err
	}
	users, err := a.listUsers(ctx, client, c, prefix)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(a.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "EMAIL\tSTATUS\tENABLED\tCREATED")
	for _, u := range users {
		created := "-"
		if !u.Created.IsZero() {
			created = u.Created.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%s\t%t\t%s\n", u.Email, u.Status, u.Enabled, created)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(a.Stderr, "testuser: %d user(s) in %s\n", len(users), c.poolID)
	return nil
}

// listUsers pages through the pool's users whose email starts with prefix ("" for all of them) and
// returns them oldest first.
func (a *App) listUsers(ctx context.Context, client API, c common, prefix string) ([]User, error) {
	var users []User
	var token *string
	for page := 0; ; page++ {
		if page >= 10000 {
			return nil, errors.New("ListUsers: more than 10000 pages; giving up")
		}
		in := &cip.ListUsersInput{UserPoolId: aws.String(c.poolID), Limit: aws.Int32(60), PaginationToken: token}
		if prefix != "" {
			in.Filter = aws.String(fmt.Sprintf("email ^= %q", prefix))
		}
		callCtx, cancel := context.WithTimeout(ctx, c.timeout)
		out, err := client.ListUsers(callCtx, in)
		cancel()
		if err != nil {
			return nil, fmt.Errorf("ListUsers %s: %w", c.poolID, describe(err))
		}
		for _, u := range out.Users {
			email := attribute(u.Attributes, "email")
			// The filter runs in Cognito; check again, since sweep deletes what this returns.
			if !strings.HasPrefix(strings.ToLower(email), prefix) {
				continue
			}
			users = append(users, User{
				Username: aws.ToString(u.Username),
				Email:    email,
				Status:   string(u.UserStatus),
				Enabled:  u.Enabled,
				Created:  aws.ToTime(u.UserCreateDate),
			})
		}
		token = out.PaginationToken
		if aws.ToString(token) == "" {
			break
		}
	}
	slices.SortStableFunc(users, func(x, y User) int { return x.Created.Compare(y.Created) })
	return users, nil
}
