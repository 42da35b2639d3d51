package inventory

import (
	"context"
	"fmt"
)

// Pages reads a list page by page until a page names no next one: API Gateway's v1 (position)
// and v2 (nextToken) lists, and any other AWS list (Organizations, S3) alike; page asks for the
// page after token (nil: the first). A list that names again a page it already gave would loop
// until the deadline; it is an error, never a quiet end (as the SDK's paginators make it when
// told to stop on a repeated token), since what it would have listed after was never read.
func Pages[T any](ctx context.Context, page func(token *string) ([]T, *string, error)) ([]T, error) {
	var all []T
	var token *string
	seen := map[string]bool{}
	for n := 1; ; n++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		items, next, err := page(token)
		if err != nil {
			return nil, err
		}
		if all == nil {
			all = items // most lists are one page: keep it, uncopied
		} else {
			all = append(all, items...)
		}
		if next == nil || *next == "" {
			return all, nil
		}
		if seen[*next] {
			return nil, fmt.Errorf("page %d named a next page that the list had already given: the rest of the list was never read", n)
		}
		seen[*next] = true
		token = next
	}
}
