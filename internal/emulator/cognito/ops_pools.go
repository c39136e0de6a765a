package cognito

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"math/big"
	"regexp"
	"slices"
	"strconv"
)

// Pool, client, domain and group management. Each stores the input it was created with (less its
// identifiers) and echoes it in Describe*, so the settings CloudFormation passes come back as given.

func (e *Emulator) poolLocked(id string) (*pool, error) {
	p, ok := e.st.pools[id]
	if !ok || id == "" {
		return nil, errorf("ResourceNotFoundException", "User pool "+id+" does not exist.")
	}
	return p, nil
}

func (e *Emulator) clientLocked(id string) (*client, *pool, error) {
	c, ok := e.st.clients[id]
	if !ok || id == "" {
		return nil, nil, errorf("ResourceNotFoundException", "User pool client "+id+" does not exist.")
	}
	p, err := e.poolLocked(c.PoolID)
	return c, p, err
}

// config is the call's body with the named members removed.
func config(body []byte, drop ...string) (json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, errorf("SerializationException", "The request body is not valid JSON.")
	}
	for _, k := range drop {
		delete(m, k)
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encode configuration: %w", err)
	}
	return raw, nil
}

// echo is a stored configuration as an answer's object, with extra members set.
func echo(config json.RawMessage, extra map[string]any) map[string]any {
	out := map[string]any{}
	_ = json.Unmarshal(config, &out)
	for k, v := range extra {
		out[k] = v
	}
	return out
}

func randomString(alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		j, _ := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		b[i] = alphabet[j.Int64()]
	}
	return string(b)
}

func (e *Emulator) createUserPool(r *request) (any, error) {
	var in struct{ PoolName string }
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	if in.PoolName == "" {
		return nil, errorf("InvalidParameterException", "1 validation error detected: Value at 'poolName' failed to satisfy constraint: Member must not be null")
	}
	cfg, err := config(r.body, "PoolName")
	if err != nil {
		return nil, err
	}
	now := e.now().Unix()
	// Pool ids are <region>_<9 alphanumerics> (UserPoolType.Id's pattern [\w-]+_[0-9a-zA-Z]+).
	id := e.opts.Region + "_" + randomString("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 9)
	p, err := newPool(poolRec{ID: id, Name: in.PoolName, Created: now, Modified: now, Config: cfg})
	if err != nil {
		return nil, errorf("InvalidParameterException", err.Error())
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.st.pools[id] = p
	if err := e.save("pool/"+id, p.poolRec); err != nil {
		return nil, err
	}
	return map[string]any{"UserPool": e.describePool(p)}, nil
}

func (e *Emulator) describePool(p *pool) map[string]any {
	extra := map[string]any{"Id": p.ID, "Name": p.Name, "Arn": e.poolArn(p.ID),
		"CreationDate": p.Created, "LastModifiedDate": p.Modified, "EstimatedNumberOfUsers": len(p.users)}
	if p.Domain != "" {
		extra["Domain"] = p.Domain
	}
	out := echo(p.Config, extra)
	if _, ok := out["UsernameConfiguration"]; !ok {
		out["UsernameConfiguration"] = map[string]any{"CaseSensitive": p.set.caseSensitive}
	}
	if _, ok := out["Policies"]; !ok {
		pp := defaultPolicy
		out["Policies"] = map[string]any{"PasswordPolicy": map[string]any{"MinimumLength": pp.minLength,
			"RequireUppercase": pp.upper, "RequireLowercase": pp.lower, "RequireNumbers": pp.numbers,
			"RequireSymbols": pp.symbols, "TemporaryPasswordValidityDays": pp.tempDays}}
	}
	return out
}

func (e *Emulator) poolArn(id string) string {
	return "arn:aws:cognito-idp:" + e.opts.Region + ":000000000000:userpool/" + id
}

type poolInput struct {
	UserPoolId string
	ClientId   string
	GroupName  string
	Domain     string
	MaxResults int
	Limit      int
	NextToken  string
}

func (e *Emulator) describeUserPool(r *request) (any, error) {
	var in poolInput
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	p, err := e.poolLocked(in.UserPoolId)
	if err != nil {
		return nil, err
	}
	return map[string]any{"UserPool": e.describePool(p)}, nil
}

func (e *Emulator) updateUserPool(r *request) (any, error) {
	var in poolInput
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	cfg, err := config(r.body, "UserPoolId")
	if err != nil {
		return nil, err
	}
	set, err := parsePoolSettings(cfg)
	if err != nil {
		return nil, errorf("InvalidParameterException", err.Error())
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	p, err := e.poolLocked(in.UserPoolId)
	if err != nil {
		return nil, err
	}
	// UsernameAttributes and UsernameConfiguration cannot change after creation; keep them.
	old := map[string]json.RawMessage{}
	_ = json.Unmarshal(p.Config, &old)
	merged := map[string]json.RawMessage{}
	_ = json.Unmarshal(cfg, &merged)
	for _, k := range []string{"UsernameAttributes", "AliasAttributes", "UsernameConfiguration", "Schema"} {
		if v, ok := old[k]; ok {
			merged[k] = v
		}
	}
	p.Config, _ = json.Marshal(merged)
	set.emailUsername, set.caseSensitive = p.set.emailUsername, p.set.caseSensitive
	p.set = set
	p.Modified = e.now().Unix()
	return struct{}{}, e.save("pool/"+p.ID, p.poolRec)
}

func (e *Emulator) deleteUserPool(r *request) (any, error) {
	var in poolInput
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	p, err := e.poolLocked(in.UserPoolId)
	if err != nil {
		return nil, err
	}
	if p.set.deletionProtect {
		return nil, errorf("InvalidParameterException", "The user pool cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first.")
	}
	for id, c := range e.st.clients {
		if c.PoolID == p.ID {
			delete(e.st.clients, id)
			if err := e.save("client/"+id, nil); err != nil {
				return nil, err
			}
		}
	}
	for _, u := range p.users {
		if err := e.save(userKey(u), nil); err != nil {
			return nil, err
		}
	}
	for _, g := range p.groups {
		if err := e.save(groupKey(g), nil); err != nil {
			return nil, err
		}
	}
	delete(e.st.pools, p.ID)
	return struct{}{}, e.save("pool/"+p.ID, nil)
}

// page returns the items from the NextToken offset, at most limit, and the next token.
func page[T any](items []T, token string, limit int) ([]T, string) {
	start, _ := strconv.Atoi(token)
	if start < 0 || start > len(items) {
		start = len(items)
	}
	if limit <= 0 || limit > 60 {
		limit = 60
	}
	end := min(start+limit, len(items))
	next := ""
	if end < len(items) {
		next = strconv.Itoa(end)
	}
	return items[start:end], next
}

func withToken(out map[string]any, next string) map[string]any {
	if next != "" {
		out["NextToken"] = next
	}
	return out
}

func (e *Emulator) listUserPools(r *request) (any, error) {
	var in poolInput
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	if in.MaxResults < 1 {
		return nil, errorf("InvalidParameterException", "1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	var all []map[string]any
	for _, id := range sortedKeys(e.st.pools) {
		p := e.st.pools[id]
		all = append(all, map[string]any{"Id": p.ID, "Name": p.Name, "CreationDate": p.Created, "LastModifiedDate": p.Modified})
	}
	items, next := page(all, in.NextToken, in.MaxResults)
	return withToken(map[string]any{"UserPools": nonNil(items)}, next), nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (e *Emulator) createUserPoolClient(r *request) (any, error) {
	var in struct{ UserPoolId, ClientName string }
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	if in.ClientName == "" {
		return nil, errorf("InvalidParameterException", "1 validation error detected: Value at 'clientName' failed to satisfy constraint: Member must not be null")
	}
	cfg, err := config(r.body, "UserPoolId", "ClientName")
	if err != nil {
		return nil, err
	}
	set, err := parseClientSettings(cfg)
	if err != nil {
		return nil, errorf("InvalidParameterException", err.Error())
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, err := e.poolLocked(in.UserPoolId); err != nil {
		return nil, err
	}
	now := e.now().Unix()
	c := &client{clientRec: clientRec{ID: randomString("abcdefghijklmnopqrstuvwxyz0123456789", 26), PoolID: in.UserPoolId,
		Name: in.ClientName, Created: now, Modified: now, Config: cfg}, set: set}
	e.st.clients[c.ID] = c
	if err := e.save("client/"+c.ID, c.clientRec); err != nil {
		return nil, err
	}
	return map[string]any{"UserPoolClient": describeClient(c)}, nil
}

func describeClient(c *client) map[string]any {
	out := echo(c.Config, map[string]any{"ClientId": c.ID, "UserPoolId": c.PoolID, "ClientName": c.Name,
		"CreationDate": c.Created, "LastModifiedDate": c.Modified})
	defaults := map[string]any{"EnableTokenRevocation": c.set.revocation, "PreventUserExistenceErrors": "LEGACY",
		"AuthSessionValidity": int(c.set.authSession.Minutes()), "RefreshTokenValidity": 30,
		"AllowedOAuthFlowsUserPoolClient": false, "ExplicitAuthFlows": c.set.flows}
	for k, v := range defaults {
		if _, ok := out[k]; !ok {
			out[k] = v
		}
	}
	return out
}

func (e *Emulator) describeUserPoolClient(r *request) (any, error) {
	var in poolInput
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	c, _, err := e.clientLocked(in.ClientId)
	if err != nil || c.PoolID != in.UserPoolId {
		return nil, errorf("ResourceNotFoundException", "User pool client "+in.ClientId+" does not exist.")
	}
	return map[string]any{"UserPoolClient": describeClient(c)}, nil
}

func (e *Emulator) updateUserPoolClient(r *request) (any, error) {
	var in struct{ UserPoolId, ClientId, ClientName string }
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	cfg, err := config(r.body, "UserPoolId", "ClientId", "ClientName")
	if err != nil {
		return nil, err
	}
	set, err := parseClientSettings(cfg)
	if err != nil {
		return nil, errorf("InvalidParameterException", err.Error())
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	c, _, err := e.clientLocked(in.ClientId)
	if err != nil || c.PoolID != in.UserPoolId {
		return nil, errorf("ResourceNotFoundException", "User pool client "+in.ClientId+" does not exist.")
	}
	c.Config, c.set, c.Modified = cfg, set, e.now().Unix()
	if in.ClientName != "" {
		c.Name = in.ClientName
	}
	if err := e.save("client/"+c.ID, c.clientRec); err != nil {
		return nil, err
	}
	return map[string]any{"UserPoolClient": describeClient(c)}, nil
}

func (e *Emulator) deleteUserPoolClient(r *request) (any, error) {
	var in poolInput
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	c, _, err := e.clientLocked(in.ClientId)
	if err != nil || c.PoolID != in.UserPoolId {
		return nil, errorf("ResourceNotFoundException", "User pool client "+in.ClientId+" does not exist.")
	}
	delete(e.st.clients, c.ID)
	return struct{}{}, e.save("client/"+c.ID, nil)
}

func (e *Emulator) listUserPoolClients(r *request) (any, error) {
	var in poolInput
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, err := e.poolLocked(in.UserPoolId); err != nil {
		return nil, err
	}
	var all []map[string]any
	for _, id := range sortedKeys(e.st.clients) {
		if c := e.st.clients[id]; c.PoolID == in.UserPoolId {
			all = append(all, map[string]any{"ClientId": c.ID, "UserPoolId": c.PoolID, "ClientName": c.Name})
		}
	}
	items, next := page(all, in.NextToken, in.MaxResults)
	return withToken(map[string]any{"UserPoolClients": nonNil(items)}, next), nil
}

// Domain prefixes: "lowercase letters, numbers, and hyphens", not starting or ending with a hyphen
// (CreateUserPoolDomain, https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPoolDomain.html).
var domainPattern = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$`)

func (e *Emulator) createUserPoolDomain(r *request) (any, error) {
	var in poolInput
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	if !domainPattern.MatchString(in.Domain) {
		return nil, errorf("InvalidParameterException", "1 validation error detected: Value at 'domain' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-z0-9](?:[a-z0-9\\-]{0,61}[a-z0-9])?$")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	p, err := e.poolLocked(in.UserPoolId)
	if err != nil {
		return nil, err
	}
	for _, other := range e.st.pools {
		if other.Domain == in.Domain {
			return nil, errorf("InvalidParameterException", "Domain already associated with another user pool.")
		}
	}
	if p.Domain != "" {
		return nil, errorf("InvalidParameterException", "User pool already has a domain configured.")
	}
	p.Domain = in.Domain
	return struct{}{}, e.save("pool/"+p.ID, p.poolRec)
}

func (e *Emulator) describeUserPoolDomain(r *request) (any, error) {
	var in poolInput
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, p := range e.st.pools {
		if p.Domain != "" && p.Domain == in.Domain {
			return map[string]any{"DomainDescription": map[string]any{"Domain": p.Domain, "UserPoolId": p.ID,
				"Status": "ACTIVE", "AWSAccountId": "000000000000"}}, nil
		}
	}
	return map[string]any{"DomainDescription": map[string]any{}}, nil
}

func (e *Emulator) deleteUserPoolDomain(r *request) (any, error) {
	var in poolInput
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	p, err := e.poolLocked(in.UserPoolId)
	if err != nil {
		return nil, err
	}
	if p.Domain != in.Domain {
		return nil, errorf("InvalidParameterException", "No such domain or user pool exists.")
	}
	p.Domain = ""
	return struct{}{}, e.save("pool/"+p.ID, p.poolRec)
}

func describeGroup(g *group) map[string]any {
	out := map[string]any{"GroupName": g.Name, "UserPoolId": g.Pool, "CreationDate": g.Created, "LastModifiedDate": g.Created}
	if g.Description != "" {
		out["Description"] = g.Description
	}
	if g.Precedence != nil {
		out["Precedence"] = *g.Precedence
	}
	if g.RoleArn != "" {
		out["RoleArn"] = g.RoleArn
	}
	return out
}

func (e *Emulator) createGroup(r *request) (any, error) {
	var in struct {
		UserPoolId, GroupName, Description, RoleArn string
		Precedence                                  *int32
	}
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	if in.GroupName == "" {
		return nil, errorf("InvalidParameterException", "1 validation error detected: Value at 'groupName' failed to satisfy constraint: Member must not be null")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	p, err := e.poolLocked(in.UserPoolId)
	if err != nil {
		return nil, err
	}
	if _, ok := p.groups[in.GroupName]; ok {
		return nil, errorf("GroupExistsException", "A group with the name "+in.GroupName+" already exists.")
	}
	g := &group{Pool: p.ID, Name: in.GroupName, Description: in.Description, Precedence: in.Precedence, RoleArn: in.RoleArn, Created: e.now().Unix()}
	p.groups[g.Name] = g
	if err := e.save(groupKey(g), g); err != nil {
		return nil, err
	}
	return map[string]any{"Group": describeGroup(g)}, nil
}

func (e *Emulator) groupLocked(in poolInput) (*pool, *group, error) {
	p, err := e.poolLocked(in.UserPoolId)
	if err != nil {
		return nil, nil, err
	}
	g, ok := p.groups[in.GroupName]
	if !ok {
		return nil, nil, errorf("ResourceNotFoundException", "Group not found.")
	}
	return p, g, nil
}

func (e *Emulator) getGroup(r *request) (any, error) {
	var in poolInput
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	_, g, err := e.groupLocked(in)
	if err != nil {
		return nil, err
	}
	return map[string]any{"Group": describeGroup(g)}, nil
}

func (e *Emulator) deleteGroup(r *request) (any, error) {
	var in poolInput
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	p, g, err := e.groupLocked(in)
	if err != nil {
		return nil, err
	}
	delete(p.groups, g.Name)
	for _, u := range p.users {
		if i := slices.Index(u.Groups, g.Name); i >= 0 {
			u.Groups = slices.Delete(u.Groups, i, i+1)
			if err := e.saveUser(u); err != nil {
				return nil, err
			}
		}
	}
	return struct{}{}, e.save(groupKey(g), nil)
}

func (e *Emulator) listGroups(r *request) (any, error) {
	var in poolInput
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	p, err := e.poolLocked(in.UserPoolId)
	if err != nil {
		return nil, err
	}
	var all []map[string]any
	for _, name := range sortedKeys(p.groups) {
		all = append(all, describeGroup(p.groups[name]))
	}
	items, next := page(all, in.NextToken, in.Limit)
	return withToken(map[string]any{"Groups": nonNil(items)}, next), nil
}
