package seed

import (
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

// Demo builds the sample account of `make demo`: one healthy API that must produce no drift
// finding, and every drift of CHECKS.md families 1 to 4 spread over the others. API ids are
// fixed so that the output reads the same on every run. pause separates deployments whose order
// matters (API Gateway's createdDate has one-second resolution).
func Demo(b *Builder, pause func(time.Duration)) error {
	// catalog: healthy. CORS done right, a {proxy+} ANY, methods that need a key covered by a
	// plan with an enabled key, a custom domain mapped to its stage, and a stage with logs,
	// tracing, metrics and a web ACL: no check has anything to say about it.
	catalog := b.API("catalog", APIOptions{ID: "catalog001", Tags: map[string]string{"team": "shop"}})
	catalog.Method("/products", "GET", Method{AllowOrigin: "'*'", KeyRequired: true}).Options("/products", StandardCORS("GET"))
	catalog.Method("/products/{id}", "GET", Method{AllowOrigin: "'*'", KeyRequired: true}).Options("/products/{id}", StandardCORS("GET"))
	catalog.Method("/legacy/{proxy+}", "ANY", Method{Integration: types.IntegrationTypeAwsProxy, Auth: "AWS_IAM"})
	catalog.Method("/admin", "GET", Method{AllowOrigin: "'*'", Auth: "AWS_IAM"}).Options("/admin", StandardCORS("GET"))
	catalog.Deploy("prod")
	catalog.Configure("prod", Hygienic("us-east-1"))
	catalogPlan := b.UsagePlan("catalog-partners", catalog.ID+":prod")
	b.APIKey("partner-acme", true, catalogPlan)
	b.Domain("api.example.com").Mapping("api.example.com", "catalog", catalog.ID, "prod")

	// orders: changed after its last deployment, and a CORS method without a preflight.
	orders := b.API("orders", APIOptions{ID: "orders0001"})
	orders.Method("/orders", "GET", Method{AllowOrigin: "'https://shop.example.com'"})
	orders.Method("/orders/{id}", "GET", Method{})
	orders.Method("/orders/{id}", "DELETE", Method{Auth: "AWS_IAM"})
	orders.Deploy("prod")
	orders.Method("/orders", "POST", Method{AllowOrigin: "'https://shop.example.com'"})
	orders.ReplaceMethod("/orders/{id}", "GET", Method{Auth: "AWS_IAM"})
	orders.DeleteMethod("/orders/{id}", "DELETE")

	// payments: a key-required method on a stage no usage plan covers, and a plan without keys
	// that lists a stage that does not exist.
	payments := b.API("payments", APIOptions{ID: "payments01"})
	payments.Method("/payments", "POST", Method{Auth: "AWS_IAM", KeyRequired: true})
	payments.Deploy("live")
	b.UsagePlan("payments-legacy", payments.ID+":v1")

	// web: tagged cors=true, with a preflight that demands auth, a resource without one, and a
	// preflight that forgets headers.
	web := b.API("web", APIOptions{ID: "web0000001", Tags: map[string]string{"cors": "true"}})
	web.Method("/users", "GET", Method{}).Options("/users", CORS{Origin: "'*'", Methods: "'GET,OPTIONS'", Headers: "'Content-Type'", Auth: "AWS_IAM"})
	web.Method("/users/{id}", "GET", Method{})
	web.Method("/health", "GET", Method{}).Method("/health", "POST", Method{}).Options("/health", CORS{Origin: "'*'", Methods: "'GET,OPTIONS'"})
	web.Deploy("prod")

	// reports: prod lags behind a newer deployment on dev, and qa points to a deleted
	// deployment; a custom domain maps to the broken stage.
	reports := b.API("reports", APIOptions{ID: "reports001"})
	reports.Method("/reports", "GET", Method{Auth: "AWS_IAM"})
	old := reports.Deploy("prod")
	pause(1100 * time.Millisecond)
	reports.Method("/reports/{id}", "GET", Method{Auth: "AWS_IAM"})
	reports.Deploy("dev")
	gone := reports.Deploy("")
	reports.Stage("qa", old).PointStage("qa", gone).DeleteDeployment(gone)

	// draft: methods but never deployed.
	draft := b.API("draft", APIOptions{ID: "draft00001"})
	draft.Method("/ideas", "GET", Method{})

	// Custom domains that lead nowhere: a mapping to a deleted API, a domain with no mapping,
	// a mapping without a stage, and one to a stage that was deleted.
	retired := b.API("retired", APIOptions{ID: "retired001"})
	retired.Method("/", "GET", Method{})
	retired.Deploy("prod")
	b.Domain("legacy.example.com").Mapping("legacy.example.com", "", retired.ID, "prod")
	b.DeleteAPI(retired.ID)
	b.Domain("shop.example.com")
	b.Domain("partners.example.com").
		Mapping("partners.example.com", "orders", orders.ID, "").
		Mapping("partners.example.com", "reports", reports.ID, "qa")
	reports.Stage("staging", old)
	b.Mapping("partners.example.com", "reports-staging", reports.ID, "staging")
	reports.DeleteStage("staging")

	// carts, an HTTP API (API Gateway v2): prod is deployed by hand and then changed (a route
	// added, one removed); dev points to a deployment that was deleted; live deploys
	// automatically and is healthy.
	if b.v2 == nil {
		return errors.New("seed: the demo needs an API Gateway v2 client (Builder.WithV2)")
	}
	carts := b.HTTPAPI("carts", HTTPAPIOptions{})
	carts.Route("GET /carts", "AWS_IAM").Route("DELETE /carts/{id}", "AWS_IAM").Stage("prod", false).Stage("dev", false).Stage("live", true)
	carts.Deploy("prod")
	carts.DeleteDeployment(carts.Deploy("dev"))
	carts.Route("POST /carts", "AWS_IAM").DeleteRoute("DELETE /carts/{id}")

	// api.example.com is one namespace for every API type: next to the catalog's REST mapping,
	// a multi-level REST mapping and two HTTP mappings, one multi-level, all healthy.
	b.APIMapping("api.example.com", "catalog/v2", catalog.ID, "prod").
		APIMapping("api.example.com", "carts", carts.ID, "live").
		APIMapping("api.example.com", "carts/v1", carts.ID, "prod")
	// An HTTP mapping to a stage that was deleted leads nowhere too.
	carts.Stage("beta", false)
	b.APIMapping("partners.example.com", "carts/beta", carts.ID, "beta")
	carts.DeleteStage("beta")
	return b.Err()
}
