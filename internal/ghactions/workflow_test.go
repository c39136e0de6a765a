package ghactions_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The parts of a workflow file these tests read
// (https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax).
type workflow struct {
	On          map[string]any    `yaml:"on"`
	Concurrency concurrency       `yaml:"concurrency"`
	Env         map[string]string `yaml:"env"`
	Jobs        map[string]job    `yaml:"jobs"`
}

type concurrency struct {
	Group            string `yaml:"group"`
	CancelInProgress any    `yaml:"cancel-in-progress"`
}

type job struct {
	If          string         `yaml:"if"`
	Environment any            `yaml:"environment"`
	Needs       any            `yaml:"needs"`
	Concurrency any            `yaml:"concurrency"`
	Permissions map[string]any `yaml:"permissions"`
	Steps       []step         `yaml:"steps"`
}

type step struct {
	Uses string            `yaml:"uses"`
	With map[string]string `yaml:"with"`
	Env  map[string]string `yaml:"env"`
	Run  string            `yaml:"run"`
}

func loadWorkflow(t *testing.T, name string) workflow {
	t.Helper()
	raw, err := os.ReadFile("../../.github/workflows/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var wf workflow
	if err := yaml.Unmarshal(raw, &wf); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return wf
}

// assumes tells whether the job assumes the role whose ARN is the repository variable roleVar.
func (j job) assumes(roleVar string) bool {
	for _, s := range j.Steps {
		if strings.HasPrefix(s.Uses, "aws-actions/configure-aws-credentials@") && strings.Contains(s.With["role-to-assume"], "vars."+roleVar) {
			return true
		}
	}
	return false
}

// Any branch could deploy to the production stack: workflow_dispatch runs from any ref. The job that
// assumes the deploy role runs only for main and in the protected production environment, whose name
// the deploy role's trust policy requires in the token's sub claim (pipeline-stack/template.yaml).
func TestDeployRunsOnlyFromMainInTheProductionEnvironment(t *testing.T) {
	wf := loadWorkflow(t, "deploy.yml")
	for trigger, spec := range wf.On {
		switch trigger {
		case "push":
			branches, _ := spec.(map[string]any)["branches"].([]any)
			if len(branches) != 1 || branches[0] != "main" {
				t.Errorf("on.push.branches %v, want [main]", branches)
			}
		case "workflow_dispatch":
		default:
			t.Errorf("on.%s: a trigger that is neither a push to main nor a run by hand", trigger)
		}
	}
	deployers := 0
	for name, j := range wf.Jobs {
		if !j.assumes("AWS_DEPLOY_ROLE_ARN") {
			continue
		}
		deployers++
		if j.If != "github.ref == 'refs/heads/main'" {
			t.Errorf("job %s assumes the deploy role with if %q, want github.ref == 'refs/heads/main'", name, j.If)
		}
		if j.Environment != "production" {
			t.Errorf("job %s assumes the deploy role in environment %v, want production", name, j.Environment)
		}
	}
	if deployers == 0 {
		t.Fatal("no job assumes vars.AWS_DEPLOY_ROLE_ARN")
	}
	// Every other job that gets AWS credentials runs after a deploy job (so only from main).
	for name, j := range wf.Jobs {
		if j.Permissions["id-token"] != "write" || j.assumes("AWS_DEPLOY_ROLE_ARN") {
			continue
		}
		if !strings.Contains(yamlString(t, j.Needs), "deploy") {
			t.Errorf("job %s can assume a role and does not need the deploy job", name)
		}
	}
}

// A per-ref group let a branch's deploy run beside main's: the group is one literal name.
func TestDeployConcurrencyIsOneLiteralGroup(t *testing.T) {
	wf := loadWorkflow(t, "deploy.yml")
	g := wf.Concurrency.Group
	if g == "" || strings.Contains(g, "${{") {
		t.Errorf("concurrency.group %q, want one literal name", g)
	}
	if wf.Concurrency.CancelInProgress != false {
		t.Errorf("cancel-in-progress %v, want false: a deployment is never cancelled half-way", wf.Concurrency.CancelInProgress)
	}
	for name, j := range wf.Jobs {
		if j.Concurrency != nil {
			t.Errorf("job %s has its own concurrency %v beside the workflow's", name, j.Concurrency)
		}
	}
}

var exactVersion = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+$`)
var envRef = regexp.MustCompile(`^\$\{\{ *env\.([A-Za-z_][A-Za-z0-9_]*) *\}\}$`)

// The SAM CLI's transform handling changed between releases: every setup-sam step installs one
// exact version (setup-sam's `version` input; without it, the latest).
func TestDeploySAMCLIIsPinned(t *testing.T) {
	wf := loadWorkflow(t, "deploy.yml")
	steps := 0
	for name, j := range wf.Jobs {
		for _, s := range j.Steps {
			if !strings.HasPrefix(s.Uses, "aws-actions/setup-sam@") {
				continue
			}
			steps++
			v := s.With["version"]
			if m := envRef.FindStringSubmatch(v); m != nil {
				v = wf.Env[m[1]]
			}
			if !exactVersion.MatchString(v) {
				t.Errorf("job %s: setup-sam version %q (resolved %q), want an exact X.Y.Z", name, s.With["version"], v)
			}
		}
	}
	if steps == 0 {
		t.Fatal("no step uses aws-actions/setup-sam")
	}
}

func yamlString(t *testing.T, v any) string {
	t.Helper()
	out, err := yaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}
