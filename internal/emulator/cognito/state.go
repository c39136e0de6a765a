package cognito

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// state is everything the emulator keeps; the journal holds it as records keyed
// pool/<id>, client/<id>, user/<pool>/<username>, group/<pool>/<name>, revoked/<origin_jti>, quota.
type state struct {
	pools   map[string]*pool
	clients map[string]*client
	revoked map[string]int64 // origin_jti of revoked refresh tokens -> when that refresh token expires (unix)
	quota   quotaRec
}

type pool struct {
	poolRec
	set    poolSettings
	users  map[string]*user  // by Username
	names  map[string]*user  // by folded username and folded email
	groups map[string]*group // by name
}

// poolRec is a pool as stored: the CreateUserPool input (Config) it was made with, echoed by
// DescribeUserPool, and what the emulator adds.
type poolRec struct {
	ID       string          `json:"id"`
	Name     string          `json:"name"`
	Created  int64           `json:"created"`
	Modified int64           `json:"modified"`
	Domain   string          `json:"domain,omitempty"`
	Config   json.RawMessage `json:"config"`
}

type client struct {
	clientRec
	set clientSettings
}

type clientRec struct {
	ID       string          `json:"id"`
	PoolID   string          `json:"pool"`
	Name     string          `json:"name"`
	Created  int64           `json:"created"`
	Modified int64           `json:"modified"`
	Config   json.RawMessage `json:"config"`
}

// user is an account. Hash is the only form of its password; codes are kept as hashes too.
type user struct {
	Pool        string            `json:"pool"`
	Username    string            `json:"username"`
	Attrs       map[string]string `json:"attrs"`
	Status      string            `json:"status"`
	Enabled     bool              `json:"enabled"`
	Hash        string            `json:"hash,omitempty"`
	TempExpires int64             `json:"temp_expires,omitempty"`
	Created     int64             `json:"created"`  // unix milliseconds
	Modified    int64             `json:"modified"` // unix milliseconds
	Groups      []string          `json:"groups,omitempty"`
	// Sign-in lockout: failed attempts, the last one's time and the lockout's end (unix nanoseconds).
	Failed      int   `json:"failed,omitempty"`
	LastFailure int64 `json:"last_failure,omitempty"`
	LockedUntil int64 `json:"locked_until,omitempty"`
	// Codes by purpose (signup, reset).
	Codes map[string]*code `json:"codes,omitempty"`
	// TokensValidAfter (unix nanoseconds): tokens issued before it are refused (disable, global sign-out).
	TokensValidAfter int64 `json:"tokens_valid_after,omitempty"`
}

type code struct {
	Hash     string `json:"hash"`
	Expires  int64  `json:"expires"` // unix seconds
	Attempts int    `json:"attempts,omitempty"`
}

type group struct {
	Pool        string `json:"pool"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Precedence  *int32 `json:"precedence,omitempty"`
	RoleArn     string `json:"role_arn,omitempty"`
	Created     int64  `json:"created"`
}

type quotaRec struct {
	Day   string `json:"day"`
	Count int    `json:"count"`
}

func newState() *state {
	return &state{pools: map[string]*pool{}, clients: map[string]*client{}, revoked: map[string]int64{}}
}

func newPool(rec poolRec) (*pool, error) {
	set, err := parsePoolSettings(rec.Config)
	if err != nil {
		return nil, err
	}
	return &pool{poolRec: rec, set: set, users: map[string]*user{}, names: map[string]*user{}, groups: map[string]*group{}}, nil
}

// fold is how the pool compares user names and email aliases: "CaseSensitive: false ... also enables
// both preferred_username and email alias to be case insensitive, in addition to the username
// attribute" (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UsernameConfigurationType.html).
func (p *pool) fold(name string) string {
	if p.set.caseSensitive {
		return name
	}
	return strings.ToLower(name)
}

// index (re)files u under its name and email.
func (p *pool) index(u *user) {
	p.users[u.Username] = u
	p.names[p.fold(u.Username)] = u
	if email := u.Attrs["email"]; email != "" && p.set.emailUsername {
		p.names[p.fold(email)] = u
	}
}

func (p *pool) unindex(u *user) {
	delete(p.users, u.Username)
	for k, v := range p.names {
		if v == u {
			delete(p.names, k)
		}
	}
}

// lookup finds a user by user name or, in pools where email is the username, by email.
func (p *pool) lookup(name string) *user {
	if name == "" {
		return nil
	}
	return p.names[p.fold(name)]
}

func (s *state) load(recs []record) error {
	type later struct {
		kind string
		raw  json.RawMessage
	}
	var deferred []later
	for _, r := range recs {
		kind, _, _ := strings.Cut(r.K, "/")
		switch kind {
		case "pool":
			var rec poolRec
			if err := json.Unmarshal(r.V, &rec); err != nil {
				return fmt.Errorf("cognito: state %s: %w", r.K, err)
			}
			p, err := newPool(rec)
			if err != nil {
				return fmt.Errorf("cognito: state %s: %w", r.K, err)
			}
			s.pools[rec.ID] = p
		case "client":
			var rec clientRec
			if err := json.Unmarshal(r.V, &rec); err != nil {
				return fmt.Errorf("cognito: state %s: %w", r.K, err)
			}
			set, err := parseClientSettings(rec.Config)
			if err != nil {
				return fmt.Errorf("cognito: state %s: %w", r.K, err)
			}
			s.clients[rec.ID] = &client{clientRec: rec, set: set}
		case "revoked":
			var exp int64
			if err := json.Unmarshal(r.V, &exp); err != nil {
				return fmt.Errorf("cognito: state %s: %w", r.K, err)
			}
			s.revoked[strings.TrimPrefix(r.K, "revoked/")] = exp
		case "quota":
			if err := json.Unmarshal(r.V, &s.quota); err != nil {
				return fmt.Errorf("cognito: state %s: %w", r.K, err)
			}
		case "user", "group":
			deferred = append(deferred, later{kind, r.V})
		default:
			return fmt.Errorf("cognito: state: unknown record %q", r.K)
		}
	}
	for _, d := range deferred {
		if d.kind == "user" {
			var u user
			if err := json.Unmarshal(d.raw, &u); err != nil {
				return fmt.Errorf("cognito: state user: %w", err)
			}
			if p := s.pools[u.Pool]; p != nil {
				p.index(&u)
			}
			continue
		}
		var g group
		if err := json.Unmarshal(d.raw, &g); err != nil {
			return fmt.Errorf("cognito: state group: %w", err)
		}
		if p := s.pools[g.Pool]; p != nil {
			p.groups[g.Name] = &g
		}
	}
	return nil
}

// records is the state as journal records, pools and clients first.
func (s *state) records() []record {
	var recs []record
	add := func(k string, v any) {
		raw, err := json.Marshal(v)
		if err == nil {
			recs = append(recs, record{K: k, V: raw})
		}
	}
	for _, id := range sortedKeys(s.pools) {
		add("pool/"+id, s.pools[id].poolRec)
	}
	for _, id := range sortedKeys(s.clients) {
		add("client/"+id, s.clients[id].clientRec)
	}
	for _, id := range sortedKeys(s.pools) {
		p := s.pools[id]
		for _, name := range sortedKeys(p.groups) {
			add(groupKey(p.groups[name]), p.groups[name])
		}
		for _, name := range sortedKeys(p.users) {
			add(userKey(p.users[name]), p.users[name])
		}
	}
	for origin, exp := range s.revoked {
		add("revoked/"+origin, exp)
	}
	if s.quota.Day != "" {
		add("quota", s.quota)
	}
	return recs
}

func (s *state) live() int {
	n := len(s.pools) + len(s.clients) + len(s.revoked) + 1
	for _, p := range s.pools {
		n += len(p.users) + len(p.groups)
	}
	return n
}

func userKey(u *user) string   { return "user/" + u.Pool + "/" + u.Username }
func groupKey(g *group) string { return "group/" + g.Pool + "/" + g.Name }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// save journals a change (v nil deletes key) and compacts the journal when it has grown. Callers hold
// e.mu. Without a state dir it does nothing.
func (e *Emulator) save(key string, v any) error {
	if e.jr == nil {
		return nil
	}
	if err := e.jr.put(key, v); err != nil {
		return err
	}
	if live := e.st.live(); e.jr.needsCompaction(live) {
		e.pruneRevoked()
		return e.jr.compact(e.st.records())
	}
	return nil
}

func (e *Emulator) saveUser(u *user) error {
	u.Modified = e.now().UnixMilli()
	return e.save(userKey(u), u)
}

// pruneRevoked forgets revocations of refresh tokens past their expiry: such tokens are refused
// anyway. Callers hold e.mu.
func (e *Emulator) pruneRevoked() {
	now := e.now().Unix()
	for origin, exp := range e.st.revoked {
		if exp < now {
			delete(e.st.revoked, origin)
		}
	}
}
