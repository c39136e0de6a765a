package templates_test

import (
	"path"
	"slices"
	"testing"

	"github.com/BurntSushi/toml"

	"github.com/example/cognito-sam-go/internal/templates"
)

// samconfig is samconfig.toml: environment -> command -> "parameters" -> option -> value.
type samconfig map[string]any

func loadSamconfig(t *testing.T) samconfig {
	t.Helper()
	var cfg samconfig
	if _, err := toml.DecodeFile(templates.Root(t)+"/samconfig.toml", &cfg); err != nil {
		t.Fatalf("samconfig.toml: %v", err)
	}
	return cfg
}

// option is what SAM CLI uses for option of command in env: the command's own table, then the env's
// global table (samcli/lib/config/samconfig.py reads both).
func (c samconfig) option(env, command, option string) any {
	if v, ok := mapAt(c, env, command, "parameters")[option]; ok {
		return v
	}
	return mapAt(c, env, "global", "parameters")[option]
}

// builtTemplate is where `sam build --config-env env` writes the built template.
func (c samconfig) builtTemplate(t *testing.T, env string) string {
	t.Helper()
	dir, _ := c.option(env, "build", "build_dir").(string)
	if dir == "" {
		t.Fatalf("[%s.build.parameters] sets no build_dir: it would share SAM CLI's default .aws-sam/build", env)
	}
	return path.Join(dir, "template.yaml")
}

// `sam build` and `sam build --config-env api` must not write the same directory: a later plain
// `sam deploy` would deploy whichever was built last under the root stack's name.
func TestBuildsOfEachEnvironmentAreSeparate(t *testing.T) {
	cfg := loadSamconfig(t)
	builds := map[string]string{}
	for _, env := range []string{"default", "api"} {
		built := cfg.builtTemplate(t, env)
		for other, dir := range builds {
			if path.Dir(dir) == path.Dir(built) || path.Dir(path.Dir(dir)) == path.Dir(path.Dir(built)) {
				// SAM CLI keeps build.toml in the build directory's parent (BuildGraph in
				// samcli/lib/build/build_graph.py): the parents must differ too.
				t.Errorf("%s and %s build into %s and %s, which share a directory or its parent", env, other, dir, built)
			}
		}
		builds[env] = built
		if got := cfg.option(env, "deploy", "template_file"); got != built {
			t.Errorf("[%s] sam deploy uses %v, want its own build %s", env, got, built)
		}
		if cfg.option(env, "build", "cached") == true {
			if dir, _ := cfg.option(env, "build", "cache_dir").(string); dir == "" || path.Dir(dir) != path.Dir(path.Dir(built)) {
				t.Errorf("[%s] cached builds need a cache_dir beside %s, got %q", env, built, dir)
			}
		}
	}
	if cfg.option("default", "build", "template_file") != "template.yaml" || cfg.option("api", "build", "template_file") != "api-stack/template.yaml" {
		t.Error("default builds template.yaml and api builds api-stack/template.yaml")
	}
}

// `sam local start-api` runs what `sam build --config-env api` built: the source template's
// CodeUri (..) holds no bootstrap.
func TestSamLocalStartAPIRunsTheBuiltAPITemplate(t *testing.T) {
	cfg := loadSamconfig(t)
	if got, want := cfg.option("default", "local_start_api", "template_file"), cfg.builtTemplate(t, "api"); got != want {
		t.Errorf("local_start_api template_file %v, want the api build %s", got, want)
	}
	if got := cfg.option("default", "local_start_api", "env_vars"); got != ".local/sam-env.json" {
		t.Errorf("local_start_api env_vars %v, want .local/sam-env.json (written by make local)", got)
	}
}

// SAM CLI ignores docker_network "host" (Container.create in samcli/local/docker/container.py skips
// a network named host), so the containers reach the host through host.docker.internal, which
// Docker maps to the host with the special value host-gateway (--add-host).
func TestSamLocalStartAPIReachesTheHostWithoutHostNetworking(t *testing.T) {
	cfg := loadSamconfig(t)
	if net := cfg.option("default", "local_start_api", "docker_network"); net == "host" {
		t.Error(`docker_network = "host" is ignored by SAM CLI`)
	}
	hosts, _ := cfg.option("default", "local_start_api", "add_host").([]any)
	if !slices.Contains(hosts, any("host.docker.internal:host-gateway")) {
		t.Errorf("local_start_api add_host %v, want host.docker.internal:host-gateway", hosts)
	}
}

// CodeUri is the repository root (the Makefile is there): without build_in_source SAM CLI copies the
// whole tree into a scratch directory for every function (CustomMakeWorkflow in aws-lambda-builders).
func TestBuildsRunInSource(t *testing.T) {
	cfg := loadSamconfig(t)
	for _, env := range []string{"default", "api"} {
		if cfg.option(env, "build", "build_in_source") != true {
			t.Errorf("[%s.build.parameters] build_in_source is not true", env)
		}
	}
}

// The account-wide API Gateway logging role is its own stack, deployed once per account and region.
func TestAccountEnvironmentDeploysTheAccountStack(t *testing.T) {
	cfg := loadSamconfig(t)
	if got := cfg.option("account", "deploy", "template_file"); got != accountTemplate {
		t.Errorf("[account] sam deploy uses %v, want %s", got, accountTemplate)
	}
	if name, _ := cfg.option("account", "deploy", "stack_name").(string); name == "" {
		t.Error("[account] has no stack_name")
	}
}

// The deploy workflow builds and deploys the root template through the ci environment, with the
// pipeline stack's bucket on the command line (--s3-bucket), which SAM CLI refuses beside resolve_s3,
// and without a prompt.
func TestCIEnvironmentDeploysTheRootBuildWithoutPrompting(t *testing.T) {
	cfg := loadSamconfig(t)
	checks := []struct {
		option    string
		got, want any
	}{
		{"build template_file", cfg.option("ci", "build", "template_file"), "template.yaml"},
		{"build build_dir", cfg.option("ci", "build", "build_dir"), cfg.option("default", "build", "build_dir")},
		{"deploy template_file", cfg.option("ci", "deploy", "template_file"), cfg.builtTemplate(t, "default")},
		{"deploy resolve_s3", cfg.option("ci", "deploy", "resolve_s3"), nil},
		{"deploy confirm_changeset", cfg.option("ci", "deploy", "confirm_changeset"), false},
		{"deploy stack_name", cfg.option("ci", "deploy", "stack_name"), cfg.option("default", "deploy", "stack_name")},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("[ci] %s = %v, want %v", c.option, c.got, c.want)
		}
	}
}
