package cognito

import (
	"slices"
	"sort"
	"strings"
)

// The Admin* operations and ListUsers: an administrator's, signed with AWS credentials (sigv4.go).

type adminInput struct {
	UserPoolId        string
	Username          string
	Password          string
	Permanent         bool
	TemporaryPassword string
	MessageAction     string
	GroupName         string
	UserAttributes    []attribute
}

type attribute struct {
	Name  string
	Value string
}

// userLocked finds the pool and the user an admin call names; UserNotFoundException "User does not
// exist." when there is none (AdminGetUser's error list).
func (e *Emulator) userLocked(poolID, username string) (*pool, *user, error) {
	p, err := e.poolLocked(poolID)
	if err != nil {
		return nil, nil, err
	}
	u := p.lookup(username)
	if u == nil {
		return p, nil, errorf("UserNotFoundException", "User does not exist.")
	}
	return p, u, nil
}

// attributes is u's attributes as the API lists them, sub first.
func attributes(u *user) []attribute {
	names := sortedKeys(u.Attrs)
	sort.SliceStable(names, func(i, j int) bool { return names[i] == "sub" && names[j] != "sub" })
	out := make([]attribute, 0, len(names))
	for _, n := range names {
		out = append(out, attribute{n, u.Attrs[n]})
	}
	return out
}

func describeUser(u *user, attrsKey string) map[string]any {
	// Cognito's user dates are epoch seconds with milliseconds.
	return map[string]any{"Username": u.Username, attrsKey: attributes(u), "UserCreateDate": float64(u.Created) / 1000,
		"UserLastModifiedDate": float64(u.Modified) / 1000, "Enabled": u.Enabled, "UserStatus": u.Status}
}

func (e *Emulator) decodeAdmin(r *request) (adminInput, error) {
	var in adminInput
	err := decode(r, &in)
	return in, err
}

// withAdminUser decodes an Admin* call that names a user and runs fn on that user, its pool and the
// call's input under the emulation's lock; an unknown pool or user is answered as userLocked says.
func (e *Emulator) withAdminUser(r *request, fn func(in adminInput, p *pool, u *user) (any, error)) (any, error) {
	in, err := e.decodeAdmin(r)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	p, u, err := e.userLocked(in.UserPoolId, in.Username)
	if err != nil {
		return nil, err
	}
	return fn(in, p, u)
}

// newUser makes an account: in a pool where email is the username, the user name is a generated id
// and the given name must be an email address, which becomes the email attribute.
func (e *Emulator) newUser(p *pool, name string, attrs []attribute) (*user, error) {
	if name == "" {
		return nil, errorf("InvalidParameterException", "1 validation error detected: Value at 'username' failed to satisfy constraint: Member must not be null")
	}
	now := e.now().UnixMilli()
	sub := newUUID()
	u := &user{Pool: p.ID, Username: name, Attrs: map[string]string{"sub": sub}, Enabled: true, Created: now, Modified: now}
	for _, a := range attrs {
		if a.Name == "sub" {
			continue
		}
		u.Attrs[a.Name] = a.Value
	}
	if p.set.emailUsername {
		if !strings.Contains(name, "@") {
			return nil, errorf("InvalidParameterException", "Username should be an email.")
		}
		u.Username = sub
		u.Attrs["email"] = name
	}
	if email := u.Attrs["email"]; email != "" && !strings.Contains(email, "@") {
		return nil, errorf("InvalidParameterException", "Invalid email address format.")
	}
	return u, nil
}

// adminCreateUser creates a user with a temporary password (FORCE_CHANGE_PASSWORD) and, unless
// MessageAction is SUPPRESS, emails the invitation with the user name and temporary password
// (AdminCreateUser, https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminCreateUser.html).
// RESEND sends the invitation again with a new temporary password to an existing FORCE_CHANGE_PASSWORD user.
func (e *Emulator) adminCreateUser(r *request) (any, error) {
	in, err := e.decodeAdmin(r)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	p, err := e.poolLocked(in.UserPoolId)
	if err != nil {
		return nil, err
	}
	temp := in.TemporaryPassword
	if temp == "" {
		temp = p.set.policy.temporaryPassword()
	} else if perr := p.set.policy.check(temp); perr != nil {
		return nil, perr
	}
	hash, err := hashPassword(temp, e.opts.HashIterations)
	if err != nil {
		return nil, err
	}
	u := p.lookup(in.Username)
	switch {
	case in.MessageAction == "RESEND":
		if u == nil {
			return nil, errorf("UserNotFoundException", "User does not exist.")
		}
		if u.Status != "FORCE_CHANGE_PASSWORD" {
			return nil, errorf("UnsupportedUserStateException", "Resend not possible. "+u.Username+" status is not FORCE_CHANGE_PASSWORD.")
		}
	case u != nil:
		return nil, errorf("UsernameExistsException", "User account already exists")
	default:
		if u, err = e.newUser(p, in.Username, in.UserAttributes); err != nil {
			return nil, err
		}
		if email := u.Attrs["email"]; email != "" && p.emailTaken(email, u) {
			return nil, errorf("AliasExistsException", "An account with the given email already exists.")
		}
	}
	u.Status, u.Hash = "FORCE_CHANGE_PASSWORD", hash
	u.TempExpires = e.now().AddDate(0, 0, p.set.policy.tempDays).Unix()
	p.index(u)
	if err := e.saveUser(u); err != nil {
		return nil, err
	}
	if in.MessageAction != "SUPPRESS" && u.Attrs["email"] != "" {
		if err := e.sendLocked(Message{To: u.Attrs["email"], Kind: KindInvite, Subject: "Your temporary password",
			Code: temp, UserPoolID: p.ID, Username: u.Username}); err != nil {
			return nil, err
		}
	}
	return map[string]any{"User": describeUser(u, "Attributes")}, nil
}

// emailTaken says whether another user of the pool has email (compared without case).
func (p *pool) emailTaken(email string, self *user) bool {
	for _, o := range p.users {
		if o != self && strings.EqualFold(o.Attrs["email"], email) {
			return true
		}
	}
	return false
}

func (e *Emulator) adminGetUser(r *request) (any, error) {
	return e.withAdminUser(r, func(_ adminInput, _ *pool, u *user) (any, error) {
		return describeUser(u, "UserAttributes"), nil
	})
}

// adminSetUserPassword sets a permanent (CONFIRMED) or temporary (FORCE_CHANGE_PASSWORD) password,
// checked against the pool's policy, and ends any lockout.
func (e *Emulator) adminSetUserPassword(r *request) (any, error) {
	in, err := e.decodeAdmin(r)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	p, err := e.poolLocked(in.UserPoolId)
	e.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if perr := p.set.policy.check(in.Password); perr != nil {
		return nil, perr
	}
	hash, err := hashPassword(in.Password, e.opts.HashIterations)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	p, u, err := e.userLocked(in.UserPoolId, in.Username)
	if err != nil {
		return nil, err
	}
	u.Hash, u.Failed, u.LockedUntil, u.LastFailure = hash, 0, 0, 0
	if in.Permanent {
		u.Status, u.TempExpires = "CONFIRMED", 0
	} else {
		u.Status, u.TempExpires = "FORCE_CHANGE_PASSWORD", e.now().AddDate(0, 0, p.set.policy.tempDays).Unix()
	}
	return struct{}{}, e.saveUser(u)
}

func (e *Emulator) adminDeleteUser(r *request) (any, error) {
	return e.withAdminUser(r, func(_ adminInput, p *pool, u *user) (any, error) {
		p.unindex(u)
		return struct{}{}, e.save(userKey(u), nil)
	})
}

// adminDisableUser: "Deactivates a user and revokes all access tokens for the user. A deactivated user
// can't sign in, but still appears in the responses to ListUsers"
// (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminDisableUser.html).
// Its refresh tokens are refused too (TokensValidAfter), as the user can no longer sign in.
func (e *Emulator) adminDisableUser(r *request) (any, error) {
	return e.adminChangeUser(r, func(u *user) error {
		u.Enabled = false
		u.TokensValidAfter = e.now().UnixNano()
		return nil
	})
}

func (e *Emulator) adminEnableUser(r *request) (any, error) {
	return e.adminChangeUser(r, func(u *user) error { u.Enabled = true; return nil })
}

// adminUserGlobalSignOut invalidates every token issued to the user so far.
func (e *Emulator) adminUserGlobalSignOut(r *request) (any, error) {
	return e.adminChangeUser(r, func(u *user) error { u.TokensValidAfter = e.now().UnixNano(); return nil })
}

func (e *Emulator) adminConfirmSignUp(r *request) (any, error) {
	return e.adminChangeUser(r, func(u *user) error {
		if u.Status != "UNCONFIRMED" {
			return errorf("NotAuthorizedException", "User cannot be confirmed. Current status is "+u.Status)
		}
		u.Status = "CONFIRMED"
		return nil
	})
}

func (e *Emulator) adminChangeUser(r *request, change func(*user) error) (any, error) {
	return e.withAdminUser(r, func(_ adminInput, _ *pool, u *user) (any, error) {
		if err := change(u); err != nil {
			return nil, err
		}
		return struct{}{}, e.saveUser(u)
	})
}

// adminResetUserPassword: "Resets the specified user's password in a user pool ... the user's
// password is invalidated and must be changed ... Amazon Cognito sends the user a verification code"
// by the recovery mechanism; signing in then answers PasswordResetRequiredException
// (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminResetUserPassword.html).
// The old password is checked before that answer is given (see auth.go), so the answer tells nothing
// to someone who does not know it.
func (e *Emulator) adminResetUserPassword(r *request) (any, error) {
	return e.withAdminUser(r, func(_ adminInput, p *pool, u *user) (any, error) {
		if u.Attrs["email"] == "" || u.Attrs["email_verified"] != "true" {
			return nil, errorf("InvalidParameterException", "Cannot reset password for the user as there is no registered/verified email or phone_number")
		}
		u.Status = "RESET_REQUIRED"
		u.TokensValidAfter = e.now().UnixNano()
		if err := e.mailCode(p, nil, u, purposeReset, KindReset); err != nil {
			return nil, err
		}
		return struct{}{}, nil
	})
}

// adminUpdateUserAttributes sets attributes; a changed email is unverified unless email_verified is
// set in the same call, and must stay unique where email is the username.
func (e *Emulator) adminUpdateUserAttributes(r *request) (any, error) {
	return e.withAdminUser(r, func(in adminInput, p *pool, u *user) (any, error) {
		verifiedGiven := false
		for _, a := range in.UserAttributes {
			switch a.Name {
			case "sub":
				return nil, errorf("InvalidParameterException", "Cannot modify the non-mutable attribute sub")
			case "email":
				if !strings.EqualFold(a.Value, u.Attrs["email"]) && p.emailTaken(a.Value, u) {
					return nil, errorf("AliasExistsException", "An account with the given email already exists.")
				}
			case "email_verified":
				verifiedGiven = true
			}
		}
		p.unindex(u)
		for _, a := range in.UserAttributes {
			if a.Name == "email" && a.Value != u.Attrs["email"] && !verifiedGiven {
				u.Attrs["email_verified"] = "false"
			}
			u.Attrs[a.Name] = a.Value
		}
		p.index(u)
		return struct{}{}, e.saveUser(u)
	})
}

func (e *Emulator) adminAddUserToGroup(r *request) (any, error) {
	return e.adminGroupChange(r, func(u *user, g string) {
		if !slices.Contains(u.Groups, g) {
			u.Groups = append(u.Groups, g)
		}
	})
}

func (e *Emulator) adminRemoveUserFromGroup(r *request) (any, error) {
	return e.adminGroupChange(r, func(u *user, g string) {
		u.Groups = slices.DeleteFunc(u.Groups, func(x string) bool { return x == g })
	})
}

func (e *Emulator) adminGroupChange(r *request, change func(*user, string)) (any, error) {
	return e.withAdminUser(r, func(in adminInput, p *pool, u *user) (any, error) {
		if _, ok := p.groups[in.GroupName]; !ok {
			return nil, errorf("ResourceNotFoundException", "Group not found.")
		}
		change(u, in.GroupName)
		return struct{}{}, e.saveUser(u)
	})
}

func (e *Emulator) adminListGroupsForUser(r *request) (any, error) {
	return e.withAdminUser(r, func(_ adminInput, p *pool, u *user) (any, error) {
		groups := []map[string]any{}
		for _, g := range u.Groups {
			if gr, ok := p.groups[g]; ok {
				groups = append(groups, describeGroup(gr))
			}
		}
		return map[string]any{"Groups": groups}, nil
	})
}

// listUsers lists a pool's users, filtered as ListUsers' Filter allows: `attribute = "value"` or
// `attribute ^= "value"` (prefix), on username, email, sub, status and the other standard attributes
// (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ListUsers.html).
func (e *Emulator) listUsers(r *request) (any, error) {
	var in struct {
		UserPoolId, Filter, PaginationToken string
		Limit                               int
	}
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	match, err := parseFilter(in.Filter)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	p, err := e.poolLocked(in.UserPoolId)
	if err != nil {
		return nil, err
	}
	var all []map[string]any
	for _, u := range p.byCreation() {
		if match(u) {
			all = append(all, describeUser(u, "Attributes"))
		}
	}
	items, next := page(all, in.PaginationToken, in.Limit)
	out := map[string]any{"Users": nonNil(items)}
	if next != "" {
		out["PaginationToken"] = next
	}
	return out, nil
}

func parseFilter(f string) (func(*user) bool, error) {
	if strings.TrimSpace(f) == "" {
		return func(*user) bool { return true }, nil
	}
	op := "="
	name, value, ok := strings.Cut(f, "^=")
	if ok {
		op = "^="
	} else if name, value, ok = strings.Cut(f, "="); !ok {
		return nil, errorf("InvalidParameterException", "Error while parsing filter.")
	}
	name = strings.Trim(strings.TrimSpace(name), `"`)
	value = strings.TrimSpace(value)
	if len(value) < 2 || value[0] != '"' || value[len(value)-1] != '"' {
		return nil, errorf("InvalidParameterException", "Error while parsing filter.")
	}
	value = value[1 : len(value)-1]
	get := func(u *user) string {
		switch name {
		case "username":
			return u.Username
		case "status", "cognito:user_status":
			return u.Status
		case "status_enabled":
			if u.Enabled {
				return "Enabled"
			}
			return "Disabled"
		}
		return u.Attrs[name]
	}
	return func(u *user) bool {
		v := get(u)
		if op == "^=" {
			return strings.HasPrefix(strings.ToLower(v), strings.ToLower(value))
		}
		return strings.EqualFold(v, value)
	}, nil
}

// byCreation is the pool's users, oldest first (then by name), the stable order ListUsers pages through.
func (p *pool) byCreation() []*user {
	users := make([]*user, 0, len(p.users))
	for _, u := range p.users {
		users = append(users, u)
	}
	sort.Slice(users, func(i, j int) bool {
		if users[i].Created != users[j].Created {
			return users[i].Created < users[j].Created
		}
		return users[i].Username < users[j].Username
	})
	return users
}
