package templates_test

import (
	"slices"
	"testing"

	"github.com/example/cognito-sam-go/internal/emulator/cloudformation"
)

// Every alarm notifies the stack's topic and watches a metric of this stack's own resources: its
// dimensions name the stack's REST API and stage, functions or web ACL, and a metric of the stack's
// own namespace comes from a metric filter on one of the stack's log groups. Each function has an
// Errors and a Throttles alarm.
func TestAlarms_WatchTheStacksOwnResourcesAndNotifyItsTopic(t *testing.T) {
	st := deployedAPI(t, with(apiParams, "AlarmEmail", "ops@example.com"))
	topicID, _ := onlyDeployed(t, st, "AWS::SNS::Topic")
	_, sub := onlyDeployed(t, st, "AWS::SNS::Subscription")
	if sub.Properties["Endpoint"] != "ops@example.com" || sub.Properties["TopicArn"] != st.Resources[topicID].Ref {
		t.Errorf("subscription %v: want AlarmEmail on the alarm topic", sub.Properties)
	}
	_, api := onlyDeployed(t, st, "AWS::ApiGateway::RestApi")
	_, stage := onlyDeployed(t, st, "AWS::ApiGateway::Stage")
	_, acl := onlyDeployed(t, st, "AWS::WAFv2::WebACL")
	functions, logGroups := map[string]bool{}, map[string]bool{}
	filters := map[[2]string]string{} // namespace, metric -> log group
	for _, r := range st.Resources {
		switch r.Type {
		case "AWS::Lambda::Function":
			functions[r.Ref] = true
		case "AWS::Logs::LogGroup":
			logGroups[r.Ref] = true
		case "AWS::Logs::MetricFilter":
			for _, mt := range r.Properties["MetricTransformations"].([]any) {
				m := mt.(map[string]any)
				filters[[2]string{m["MetricNamespace"].(string), m["MetricName"].(string)}], _ = r.Properties["LogGroupName"].(string)
			}
		}
	}
	watched := map[string][]string{} // function -> its metrics with alarms
	alarms := 0
	for id, r := range st.Resources {
		if r.Type != "AWS::CloudWatch::Alarm" {
			continue
		}
		alarms++
		p := r.Properties
		if !slices.Contains(p["AlarmActions"].([]any), any(st.Resources[topicID].Ref)) {
			t.Errorf("%s does not notify the alarm topic: %v", id, p["AlarmActions"])
		}
		dims := dimensions(p)
		ns, metric := p["Namespace"].(string), p["MetricName"].(string)
		switch ns {
		case "AWS/ApiGateway":
			if dims["ApiName"] != api.Properties["Name"] || dims["Stage"] != stage.Ref || len(dims) != 2 {
				t.Errorf("%s: dimensions %v, want the API's name %v and stage %v", id, dims, api.Properties["Name"], stage.Ref)
			}
		case "AWS/Lambda":
			if !functions[dims["FunctionName"]] || len(dims) != 1 {
				t.Errorf("%s: dimensions %v name no function of the stack", id, dims)
			}
			watched[dims["FunctionName"]] = append(watched[dims["FunctionName"]], metric)
		case "AWS/WAFV2":
			// The web ACL's overall metric: Rule ALL (https://docs.aws.amazon.com/waf/latest/developerguide/waf-metrics.html).
			if dims["WebACL"] != acl.Properties["Name"] || dims["Region"] != region || dims["Rule"] != "ALL" || len(dims) != 3 {
				t.Errorf("%s: dimensions %v, want the web ACL %v in %s, Rule ALL", id, dims, acl.Properties["Name"], region)
			}
		default:
			group, ok := filters[[2]string{ns, metric}]
			if !ok || !logGroups[group] {
				t.Errorf("%s watches %s %s, which no metric filter on a log group of the stack produces", id, ns, metric)
			}
		}
	}
	for fn := range functions {
		slices.Sort(watched[fn])
		if !slices.Equal(watched[fn], []string{"Errors", "Throttles"}) {
			t.Errorf("function %s has alarms on %v, want Errors and Throttles", fn, watched[fn])
		}
	}
	if alarms == 0 || len(functions) == 0 {
		t.Fatalf("%d alarms, %d functions: the checks would pass vacuously", alarms, len(functions))
	}
}

// The two metric filters read the log lines they are meant for: 429 answers in the access log, and the
// login function's Cognito LimitExceededException.
func TestAlarms_MetricFiltersReadTheirLogs(t *testing.T) {
	st := deployedAPI(t, apiParams)
	_, stage := onlyDeployed(t, st, "AWS::ApiGateway::Stage")
	accessLog := logGroupOfArn(t, st, stage.Properties["AccessLogSetting"].(map[string]any)["DestinationArn"])
	loginLog := st.Resources["LoginFunction"].Properties["LoggingConfig"].(map[string]any)["LogGroup"]
	want := map[string]any{
		`{ $.status = "429" }`:                           accessLog,
		`{ $.cognito_error = "LimitExceededException" }`: loginLog,
	}
	for id, r := range st.Resources {
		if r.Type != "AWS::Logs::MetricFilter" {
			continue
		}
		pattern := r.Properties["FilterPattern"].(string)
		group, ok := want[pattern]
		if !ok {
			t.Errorf("%s: unexpected filter %s", id, pattern)
			continue
		}
		if r.Properties["LogGroupName"] != group {
			t.Errorf("%s reads %v, want %v", id, r.Properties["LogGroupName"], group)
		}
		delete(want, pattern)
	}
	if len(want) != 0 {
		t.Errorf("no metric filter for %v", want)
	}
}

func logGroupOfArn(t *testing.T, st *cloudformation.Stack, arn any) string {
	t.Helper()
	for id, r := range st.Resources {
		if r.Type == "AWS::Logs::LogGroup" && arnOf(t, st, id) == arn {
			return r.Ref
		}
	}
	t.Fatalf("no log group has the ARN %v", arn)
	return ""
}

func dimensions(props map[string]any) map[string]string {
	out := map[string]string{}
	ds, _ := props["Dimensions"].([]any)
	for _, d := range ds {
		m := d.(map[string]any)
		out[m["Name"].(string)], _ = m["Value"].(string)
	}
	return out
}
