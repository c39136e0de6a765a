package e2e_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// The README's account lifecycle (sign up, confirm by the mailed link, sign in, echo, refresh, sign
// out, refresh refused, forgot, reset with the mailed code, only the new password works) runs
// verbatim against a local stack: the block between its lifecycle markers, as a user pastes it.
func TestREADME_AccountLifecycleRunsVerbatim(t *testing.T) {
	s := sharedStack(t)
	readme, err := os.ReadFile("../../README.md")
	must(t, err)
	block := regexp.MustCompile("(?s)<!-- lifecycle:begin -->\\s*```sh\\n(.*?)```\\s*<!-- lifecycle:end -->").FindSubmatch(readme)
	if block == nil {
		t.Fatal("README.md has no ```sh block between <!-- lifecycle:begin --> and <!-- lifecycle:end -->")
	}
	// Twice: pasting it again must work too.
	for run := range 2 {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		cmd := exec.CommandContext(ctx, "bash", "-c", string(block[1]))
		cmd.Dir = "../.."
		cmd.Env = append(os.Environ(), "STATE_DIR="+s.StateDir)
		out, err := cmd.CombinedOutput()
		cancel()
		if err != nil {
			t.Fatalf("run %d: %v\n%s", run, err, out)
		}
		var got []string
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			if m := regexp.MustCompile(`(\d{3})$`).FindStringSubmatch(line); m != nil {
				got = append(got, m[1])
			}
		}
		want := []string{"202", "200", "200", "200", "200", "401", "202", "200", "401", "200"}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Fatalf("run %d: statuses %v, want %v (signup, link, echo, refresh, logout, refresh, forgot, reset, old password, new password)\n%s", run, got, want, out)
		}
		if !strings.Contains(string(out), `"hello":"world"`) {
			t.Fatalf("run %d: /echo did not echo the body:\n%s", run, out)
		}
	}
}

// Every example under "## The API" whose last line is a `# <status> [body]` comment answers that
// status (and that body, where the comment shows it whole) when run as written, in the README's order
// against one new account: the placeholders filled in, the confirmation link opened after /signup, the
// mailed code read after /password/forgot.
func TestREADME_APIExamplesAnswerWhatTheirCommentsSay(t *testing.T) {
	s := sharedStack(t)
	readme, err := os.ReadFile("../../README.md")
	must(t, err)
	section := regexp.MustCompile(`(?s)\n## The API\n(.*?)\n## `).FindSubmatch(readme)
	if section == nil {
		t.Fatal(`README.md has no "## The API" section`)
	}
	email := newEmail()
	fill := map[string]string{"<email>": email, "<password>": "Example-Passw0rd!", "<new password>": "Another-Passw0rd!"}
	var checked []string
	for _, block := range regexp.MustCompile("(?s)```sh\\n(.*?)```").FindAllSubmatch(section[1], -1) {
		text := strings.TrimSpace(string(block[1]))
		comment := regexp.MustCompile(`(?m)^# (\d{3})\b ?(.*)$`).FindStringSubmatch(text[strings.LastIndex(text, "\n")+1:])
		if comment == nil {
			continue // no answer claimed
		}
		path := regexp.MustCompile(`"\$API(/[a-z/-]+)"`).FindStringSubmatch(text)
		if path == nil {
			t.Fatalf("example calls no \"$API/...\" route:\n%s", text)
		}
		for k, v := range fill {
			text = strings.ReplaceAll(text, k, v)
		}
		if m := regexp.MustCompile(`<[a-z_ ]+(?: from [a-z/ ]+)?>`).FindString(text); m != "" {
			t.Fatalf("%s: no value for the placeholder %s:\n%s", path[1], m, text)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		cmd := exec.CommandContext(ctx, "bash", "-c", `curl() { command curl -w '\n%{http_code}' "$@"; }`+"\n"+text)
		cmd.Env = append(os.Environ(), "API="+s.Out.ApiUrl, "ID_TOKEN="+fill["$ID_TOKEN"])
		out, err := cmd.Output()
		cancel()
		if err != nil {
			t.Fatalf("%s: %v\n%s", path[1], err, out)
		}
		// The wrapper puts the status on a line of its own after the body.
		body, status := "", string(out)
		if i := strings.LastIndex(status, "\n"); i >= 0 {
			body, status = strings.TrimSpace(status[:i]), status[i+1:]
		}
		if status != comment[1] {
			t.Fatalf("%s answers %s, the README says %s: %s", path[1], status, comment[1], body)
		}
		if want := comment[2]; strings.HasPrefix(want, "{") && !strings.Contains(want, "...") {
			var got, claimed any
			must(t, json.Unmarshal([]byte(body), &got))
			must(t, json.Unmarshal([]byte(want), &claimed))
			if !reflect.DeepEqual(got, claimed) {
				t.Fatalf("%s answers %s, the README shows %s", path[1], body, want)
			}
		}
		checked = append(checked, path[1])
		switch path[1] {
		case "/signup":
			r, err := httpClient.Get(lastMail(t, s, email, "signup")["link"])
			must(t, err)
			r.Body.Close()
		case "/login":
			var tokens map[string]any
			must(t, json.Unmarshal([]byte(body), &tokens))
			fill["$ID_TOKEN"], _ = tokens["id_token"].(string)
			fill["<refresh_token>"], _ = tokens["refresh_token"].(string)
		case "/password/forgot":
			fill["<code from the email>"] = lastMail(t, s, email, "forgot")["code"]
		}
	}
	want := "/signup /signup/resend /login /refresh /logout /password/forgot /password/reset /echo"
	for _, route := range strings.Fields(want) {
		if !slices.Contains(checked, route) {
			t.Errorf("the README's %s example was not checked (checked: %v): its last line must be `# <status> ...`", route, checked)
		}
	}
}
