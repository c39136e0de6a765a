package coldstart

import (
	"math"
	"time"
)

// Prices is what a request costs on AWS. Every figure of the report's cost columns comes from
// AWSPrices, the one place prices live.
type Prices struct {
	Region string
	// LambdaGBSecond is Lambda's arm64 duration price, per GB-second, first pricing tier.
	LambdaGBSecond float64
	// LambdaRequest is Lambda's price per request.
	LambdaRequest float64
	// APIGatewayRESTRequest is API Gateway's REST API price per request, first tier (333 million).
	APIGatewayRESTRequest float64
	Source                string
	Checked               string // when the figures were read from Source
}

// AWSPrices: us-east-1, on-demand, arm64.
//
// https://aws.amazon.com/lambda/pricing/ (arm64: $0.0000133334 per GB-second for the first 7.5
// billion GB-seconds a month; $0.20 per million requests) and https://aws.amazon.com/api-gateway/pricing/
// (REST APIs: $3.50 per million requests for the first 333 million). Duration is billed in 1 ms
// increments (https://aws.amazon.com/about-aws/whats-new/2020/12/aws-lambda-changes-duration-billing-granularity-from-100ms-to-1ms/),
// and since 1 August 2025 the init phase of on-demand functions is billed as duration too
// (https://aws.amazon.com/blogs/compute/aws-lambda-standardizes-billing-for-init-phase/; custom
// runtimes such as provided.al2023 were billed for it before).
var AWSPrices = Prices{
	Region:                "us-east-1",
	LambdaGBSecond:        0.0000133334,
	LambdaRequest:         0.20 / 1e6,
	APIGatewayRESTRequest: 3.50 / 1e6,
	Source:                "aws.amazon.com/lambda/pricing and aws.amazon.com/api-gateway/pricing, us-east-1, arm64, first tier",
	// This machine cannot reach the pages: the figures are the ones published since arm64's launch
	// and unchanged through 2025. Re-read the pages before quoting a bill.
	Checked: "2025 (list prices unchanged since 2021; init billed since 2025-08-01)",
}

// ColdRatio is the share of requests taken to start a new environment in the cost per million: AWS
// observes that "INITs (cold starts) typically occur in under 1% of invocations" (the INIT billing
// post cited at AWSPrices). A bursty API has more; the billed-duration columns let the reader redo
// the sum.
const ColdRatio = 0.01

// BilledMS is Lambda's billed duration for d: rounded up to the next millisecond, at least 1 ms.
func BilledMS(d time.Duration) int64 {
	ms := int64(math.Ceil(float64(d) / float64(time.Millisecond)))
	return max(ms, 1)
}

// GBSeconds is memoryMB for billedMS milliseconds (Lambda counts 1 GB as 1,024 MB).
func GBSeconds(memoryMB int, billedMS float64) float64 {
	return float64(memoryMB) / 1024 * billedMS / 1000
}

// Cost is what a million requests to one function at one memory size cost.
type Cost struct {
	WarmBilledMS float64 // mean billed duration of a warm invocation
	ColdBilledMS float64 // mean billed duration of init plus the first invocation
	// LambdaPerMillion: requests and duration, ColdRatio of them cold.
	LambdaPerMillion float64
	// APIGatewayPerMillion is API Gateway's charge for the same requests, shown beside it.
	APIGatewayPerMillion float64
}

// CostOf prices a million requests at memoryMB from the billed durations.
func (p Prices) CostOf(memoryMB int, warmBilledMS, coldBilledMS float64) Cost {
	perRequest := p.LambdaRequest + p.LambdaGBSecond*GBSeconds(memoryMB, (1-ColdRatio)*warmBilledMS+ColdRatio*coldBilledMS)
	return Cost{WarmBilledMS: warmBilledMS, ColdBilledMS: coldBilledMS,
		LambdaPerMillion: 1e6 * perRequest, APIGatewayPerMillion: 1e6 * p.APIGatewayRESTRequest}
}

// ColdCost is the duration charge of one cold start (init and first invocation), in dollars.
func (p Prices) ColdCost(memoryMB int, coldBilledMS float64) float64 {
	return p.LambdaGBSecond * GBSeconds(memoryMB, coldBilledMS)
}
