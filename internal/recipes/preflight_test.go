package recipes_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeAWS answers the pre-flight's AWS CLI calls from FAKE_* variables, as the AWS CLI prints them with
// --output text (a query that finds nothing prints None), and logs every call; fakeSAM logs its calls.
const fakeAWS = `#!/bin/sh
echo "aws $*" >> "$FAKE_LOG"
case "$1 $2" in
  "cognito-idp describe-user-pool-domain") echo "${FAKE_DOMAIN_OWNER:-None}" ;;
  "cognito-idp describe-user-pool")
    if [ -z "$FAKE_POOL_DOMAIN" ]; then echo "An error occurred (ResourceNotFoundException)" >&2; exit 254; fi
    echo "$FAKE_POOL_DOMAIN" ;;
  "cloudformation describe-stacks")
    if [ -z "$FAKE_STACK_POOL" ]; then echo "An error occurred (ValidationError): Stack does not exist" >&2; exit 254; fi
    echo "$FAKE_STACK_POOL" ;;
  *) echo "fake aws: unexpected call: $*" >&2; exit 99 ;;
esac
`

const fakeSAM = "#!/bin/sh\necho \"sam $*\" >> \"$FAKE_LOG\"\n"

// fakeTools is a directory holding the fake aws and sam, to put first on PATH.
func fakeTools(t *testing.T) string {
	t.Helper()
	bin := t.TempDir()
	for name, script := range map[string]string{"aws": fakeAWS, "sam": fakeSAM} {
		if err := os.WriteFile(filepath.Join(bin, name), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return bin
}

// A failed first deploy leaves its user pool behind (DeletionPolicy): `make deploy` checks first, with
// the AWS CLI, what CloudFormation would refuse only after creating the pool, says what to change and
// runs no sam command. For a prefix no pool has, DescribeUserPoolDomain answers an empty
// DomainDescription (as moto does, describe_user_pool_domain in moto/cognitoidp/responses.py), which the
// AWS CLI's --query ... --output text prints as None.
func TestDeployPreflightStopsWhatWouldOrphanAPool(t *testing.T) {
	bin := fakeTools(t)
	tests := []struct {
		name      string
		overrides string
		fake      []string // FAKE_* answers
		deploys   bool
		say       string // on stderr
	}{
		{"prefix taken by another pool", "DomainPrefix=my-app-auth", []string{"FAKE_DOMAIN_OWNER=us-east-1_Other"}, false,
			"DomainPrefix=my-app-auth is taken in this region (pool us-east-1_Other, not stack cognito-go-api's): choose another prefix"},
		{"prefix free", "DomainPrefix=my-app-auth", nil, true, "pre-flight: parameters of template.yaml OK"},
		{"prefix is the stack's own (a redeploy)", "DomainPrefix=my-app-auth",
			[]string{"FAKE_DOMAIN_OWNER=us-east-1_Mine", "FAKE_STACK_POOL=us-east-1_Mine"}, true, "pre-flight: parameters of template.yaml OK"},
		{"stage name the API stack refuses", "DomainPrefix=my-app-auth StageName=v-1", nil, false,
			"change PARAMETER_OVERRIDES: template.yaml refuses them"},
		{"reserved word in the prefix", "DomainPrefix=my-aws-app", nil, false, "aws, amazon or cognito"},
		{"kept pool still has another domain", "DomainPrefix=my-app-auth ExistingUserPoolId=us-east-1_Kept",
			[]string{"FAKE_POOL_DOMAIN=old-prefix"}, false,
			"aws cognito-idp delete-user-pool-domain --user-pool-id us-east-1_Kept --domain old-prefix"},
		{"kept pool does not exist", "DomainPrefix=my-app-auth ExistingUserPoolId=us-east-1_Gone", nil, false,
			"ExistingUserPoolId=us-east-1_Gone: no such pool in this region"},
		{"kept pool still has this very domain", "DomainPrefix=my-app-auth ExistingUserPoolId=us-east-1_Kept",
			[]string{"FAKE_POOL_DOMAIN=my-app-auth", "FAKE_DOMAIN_OWNER=us-east-1_Kept"}, false,
			"aws cognito-idp delete-user-pool-domain --user-pool-id us-east-1_Kept --domain my-app-auth"},
		{"redeploy of a stack the kept pool is attached to", "DomainPrefix=my-app-auth ExistingUserPoolId=us-east-1_Kept",
			[]string{"FAKE_POOL_DOMAIN=my-app-auth", "FAKE_DOMAIN_OWNER=us-east-1_Kept", "FAKE_STACK_POOL=us-east-1_Kept"}, true,
			"pre-flight: parameters of template.yaml OK"},
		{"kept pool without a domain", "DomainPrefix=my-app-auth ExistingUserPoolId=us-east-1_Kept",
			[]string{"FAKE_POOL_DOMAIN=None"}, true, "pre-flight: parameters of template.yaml OK"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logFile := filepath.Join(t.TempDir(), "calls.log")
			env := append([]string{"PATH=" + bin + ":" + os.Getenv("PATH"), "FAKE_LOG=" + logFile}, tt.fake...)
			r := run(t, env, "make", "-s", "deploy", "PARAMETER_OVERRIDES="+tt.overrides)
			raw, _ := os.ReadFile(logFile)
			calls := string(raw)
			ranSam := strings.Contains(calls, "sam deploy")
			if ranSam != tt.deploys || (r.code == 0) != tt.deploys {
				t.Errorf("exit %d, sam deploy ran: %v; want deploy %v\ncalls:\n%s\nstderr:\n%s", r.code, ranSam, tt.deploys, calls, r.stderr)
			}
			if !tt.deploys && r.code != 2 {
				t.Errorf("exit %d, want 2 (a setting to change)", r.code)
			}
			if !strings.Contains(r.stderr, tt.say) {
				t.Errorf("stderr does not say %q:\n%s", tt.say, r.stderr)
			}
			if strings.Contains(r.stderr, "Traceback") {
				t.Errorf("a Python traceback:\n%s", r.stderr)
			}
		})
	}
}

// The pre-flight runs alone too (the deploy workflow's step), and with the auth environment checks the
// auth stack's template against the auth stack's name.
func TestDeployPreflightAloneDeploysNothing(t *testing.T) {
	bin := fakeTools(t)
	logFile := filepath.Join(t.TempDir(), "calls.log")
	r := run(t, []string{"PATH=" + bin + ":" + os.Getenv("PATH"), "FAKE_LOG=" + logFile},
		"make", "-s", "deploy-preflight", "CONFIG_ENV=auth", "PARAMETER_OVERRIDES=DomainPrefix=my-app-auth")
	raw, _ := os.ReadFile(logFile)
	if r.code != 0 || strings.Contains(string(raw), "sam ") || !strings.Contains(string(raw), "--stack-name cognito-go-auth") {
		t.Errorf("exit %d, calls:\n%s\nstderr:\n%s", r.code, raw, r.stderr)
	}
	if !strings.Contains(r.stderr, "auth-stack/template.yaml OK") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
}
