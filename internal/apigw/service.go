// Package apigw is the ApiGatewayV2 service: the business rules behind each
// operation (ids, defaults, validation the model cannot express,
// parent/child integrity). The generated files hold the shapes, the
// operation table and the model's constraint checks; the hand-written files
// are one per resource family.
package apigw

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/portico-dev/portico/internal/awsproto"
	"github.com/portico-dev/portico/internal/store"
)

// Store kinds, one per resource family.
const (
	kindAPI                 store.Kind = "api"
	kindRoute               store.Kind = "route"
	kindRouteResponse       store.Kind = "routeresponse"
	kindIntegration         store.Kind = "integration"
	kindIntegrationResponse store.Kind = "integrationresponse"
	kindModel               store.Kind = "model"
	kindAuthorizer          store.Kind = "authorizer"
)

// Config is what the service needs to know about where it runs.
type Config struct {
	// Endpoint returns an API's apiEndpoint for its protocol ("HTTP" or
	// "WEBSOCKET") in a region.
	Endpoint func(apiID, protocol, region string) string
	// Quotas limits how many resources may exist; nil is AWS's defaults
	// (DefaultQuotas), &Quotas{} no limit at all.
	Quotas *Quotas
}

// AWSEndpoint is the exact AWS form of apiEndpoint.
func AWSEndpoint(apiID, protocol, region string) string {
	scheme := "https"
	if protocol == "WEBSOCKET" {
		scheme = "wss"
	}
	return scheme + "://" + apiID + ".execute-api." + region + ".amazonaws.com"
}

// Server implements the operations on a store. Operations(server) routes
// the ones it has methods for; implemented lists them, so that a method
// whose signature drifts from the model fails to compile instead of
// silently becoming "not implemented".
type Server struct {
	store  store.Store
	cfg    Config
	quotas Quotas
	blobs  *blobCache
}

var _ interface {
	createApiHandler
	getApiHandler
	getApisHandler
	updateApiHandler
	deleteApiHandler
	createRouteHandler
	getRouteHandler
	getRoutesHandler
	updateRouteHandler
	deleteRouteHandler
	deleteRouteRequestParameterHandler
	createRouteResponseHandler
	getRouteResponseHandler
	getRouteResponsesHandler
	updateRouteResponseHandler
	deleteRouteResponseHandler
} = (*Server)(nil)

// New returns the service over st.
func New(st store.Store, cfg Config) *Server {
	if cfg.Endpoint == nil {
		cfg.Endpoint = AWSEndpoint
	}
	quotas := DefaultQuotas()
	if cfg.Quotas != nil {
		quotas = *cfg.Quotas
	}
	return &Server{store: st, cfg: cfg, quotas: quotas, blobs: newBlobCache(blobCacheBytes)}
}

func scopeOf(ctx context.Context) store.Scope {
	id := awsproto.IdentityFrom(ctx)
	return store.Scope{Account: id.Account, Region: id.Region}
}

// view and update run fn in a transaction of the caller's account and
// region; store errors that escape fn become internal errors.
func (s *Server) view(ctx context.Context, fn func(store.Tx) error) error {
	return s.store.View(ctx, scopeOf(ctx), fn)
}

func (s *Server) update(ctx context.Context, fn func(store.Tx) error) error {
	return s.store.Update(ctx, scopeOf(ctx), fn)
}

// updateAPI is update for a change to one API, announced through
// Watch once it is committed.
func (s *Server) updateAPI(ctx context.Context, apiID string, fn func(store.Tx) error) error {
	return s.update(ctx, func(tx store.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return tx.Notify(topicAPI + apiID)
	})
}

// updateDomain is update for a change to a custom domain name or its
// mappings, announced through Watch once it is committed.
func (s *Server) updateDomain(ctx context.Context, name string, fn func(store.Tx) error) error {
	return s.update(ctx, func(tx store.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return tx.Notify(topicDomain + name)
	})
}

// get reads one record into v.
func get(tx store.Tx, kind store.Kind, id string, v any) (store.Record, error) {
	rec, err := tx.Get(kind, id)
	if err != nil {
		return rec, err
	}
	return rec, decode(rec, v)
}

// getChild reads a record that belongs to parent. One of another parent is
// as missing as one that does not exist: store.ErrNotFound, which the
// caller turns into its resource's not-found error.
func getChild(tx store.Tx, kind store.Kind, id string, parent store.Ref) (store.Record, error) {
	rec, err := tx.Get(kind, id)
	if err == nil && rec.Parent != parent {
		return store.Record{}, store.ErrNotFound
	}
	return rec, err
}

// getChildInto is getChild decoding the document into v.
func getChildInto(tx store.Tx, kind store.Kind, id string, parent store.Ref, v any) error {
	rec, err := getChild(tx, kind, id, parent)
	if err != nil {
		return err
	}
	return decode(rec, v)
}

func decode(rec store.Record, v any) error {
	if err := json.Unmarshal(rec.Data, v); err != nil {
		return fmt.Errorf("stored %s %s is not readable: %w", rec.Kind, rec.ID, err)
	}
	return nil
}

func encode(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		// The documents are generated shapes: marshalling cannot fail.
		panic(err)
	}
	return b
}

const idAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// newID is an id in AWS's format: n characters of [a-z0-9] from crypto/rand.
func newID(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		// 252 is the largest multiple of 36 below 256: redraw above it so
		// every character is equally likely.
		for b[i] >= 252 {
			var c [1]byte
			rand.Read(c[:])
			b[i] = c[0]
		}
		b[i] = idAlphabet[int(b[i])%len(idAlphabet)]
	}
	return string(b)
}

// insertNew inserts a record under a fresh id of n characters; doc sets the
// id on the document and returns it. An id already taken in this account and
// region (astronomically rare) is drawn again; a taken key is returned as
// store.ErrConflict.
func insertNew(tx store.Tx, kind store.Kind, parent store.Ref, key string, n int, doc func(id string) any) error {
	for {
		id := newID(n)
		err := tx.Insert(store.Record{Kind: kind, ID: id, Parent: parent, Key: key, Data: encode(doc(id))})
		if errors.Is(err, store.ErrConflict) {
			if _, getErr := tx.Get(kind, id); getErr == nil {
				continue
			}
		}
		return err
	}
}

// Pagination: maxResults is a decimal string (1 to maxPage); nextToken is
// the opaque position after the last item returned.
const maxPage = 500

type page struct {
	after string
	limit int
}

func parsePage(maxResults, nextToken *string) (page, error) {
	p := page{limit: maxPage}
	if maxResults != nil {
		n, err := strconv.Atoi(*maxResults)
		if err != nil || n < 1 {
			return p, awsproto.BadRequest("Invalid maxResults specified: %q. It must be a positive integer.", echo(*maxResults))
		}
		p.limit = min(n, maxPage)
	}
	if nextToken != nil && *nextToken != "" {
		b, err := base64.RawURLEncoding.DecodeString(*nextToken)
		if err != nil || len(b) == 0 || len(b) > 64 {
			return p, awsproto.BadRequest("Invalid nextToken specified")
		}
		p.after = string(b)
	}
	return p, nil
}

// listPage reads one page of the documents of kind under parent, always
// a non-nil slice ("items": [] when empty). It asks the store for one more
// record than the page holds to know whether a next page exists.
func listPage[T any](tx store.Tx, kind store.Kind, parent store.Ref, p page) ([]T, *string, error) {
	recs, err := tx.List(kind, parent, p.after, p.limit+1)
	if err != nil {
		return nil, nil, err
	}
	var next *string
	if len(recs) > p.limit {
		recs = recs[:p.limit]
		next = ptr(base64.RawURLEncoding.EncodeToString([]byte(recs[len(recs)-1].ID)))
	}
	items := make([]T, len(recs))
	for i, rec := range recs {
		if err := decode(rec, &items[i]); err != nil {
			return nil, nil, err
		}
	}
	return items, next, nil
}

func ptr[T any](v T) *T { return &v }

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// nilIfEmptyMap and nilIfEmpty store an empty map or list as unset: AWS
// omits members that hold nothing (docs/aws-behaviours.md#omitted-members),
// and an empty map given on update is how a caller clears one.
func nilIfEmptyMap[M ~map[K]V, K comparable, V any](m M) M {
	if len(m) == 0 {
		return nil
	}
	return m
}

func nilIfEmpty[S ~[]E, E any](s S) S {
	if len(s) == 0 {
		return nil
	}
	return s
}
