package modverify

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"

	"golang.org/x/mod/module"
	"golang.org/x/mod/sumdb"
)

// sumTarget is a go.sum file and the module it belongs to.
type sumTarget struct {
	mod *Module // nil for go.work.sum
	sum *SumFile
}

// SumDBStats describes one run of the sumdb check.
type SumDBStats struct {
	Database string `json:"database"`
	Checked  int    `json:"checked"` // module versions looked up
	Skipped  int    `json:"skipped"` // module versions matched by GONOSUMDB/GOPRIVATE/GONOSUMCHECK
	Remote   int64  `json:"remote"`  // HTTP requests made (0 with a warm cache)
}

// sumDBFor resolves the database to check against: the sumdb input, else
// the job's GOSUMDB, else sum.golang.org.
func sumDBFor(c Config, env *GoEnv) (SumDBConfig, string, error) {
	if c.SumDB != "" {
		db, err := ParseGOSUMDB(c.SumDB)
		return db, "the sumdb input", err
	}
	s := env.Get("GOSUMDB")
	if s.Value != "" && s.Value != "off" {
		db, err := ParseGOSUMDB(s.Value)
		if err != nil {
			return db, "", fmt.Errorf("GOSUMDB (%s): %w", s.Source, err)
		}
		return db, "GOSUMDB (" + s.Source + ")", nil
	}
	db, err := ParseGOSUMDB(DefaultSumDB)
	return db, "the default", err
}

// noSumPatterns are the module path patterns not checked against the
// database: GONOSUMDB (which defaults to GOPRIVATE) and GONOSUMCHECK.
func noSumPatterns(env *GoEnv) string {
	list := env.Value("GONOSUMDB")
	if list == "" {
		list = env.Value("GOPRIVATE")
	}
	if extra := env.Value("GONOSUMCHECK"); extra != "" {
		list = strings.Trim(list+","+extra, ",")
	}
	return list
}

// checkSumDB looks every go.sum line of every module (and go.work.sum) up in
// the checksum database with the sumdb client: signed tree heads, inclusion
// proofs and a local cache of verified tiles. Lookups run concurrently.
func checkSumDB(ctx context.Context, j *job, targets []sumTarget) ([]Finding, error) {
	db, from, err := sumDBFor(j.c, j.env)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(j.c.SumDBCache, 0o755); err != nil {
		return nil, fmt.Errorf("sumdb cache: %w", err)
	}
	ops := &sumdbOps{ctx: ctx, db: db, client: j.d.HTTP, dir: j.c.SumDBCache, retry: j.d.SumDBRetry,
		log: func(s string) { j.a.Debugf("sumdb: %s", s) }}
	ops.db.URL = ops.proxiedURL(j.env.Value("GOPROXY"))
	db.URL = ops.db.URL
	client := sumdb.NewClient(ops)
	nosum := noSumPatterns(j.env)

	type result struct {
		lines []string // the database's lines for the version, zip and go.mod
		err   error
	}
	versions := map[module.Version]*result{}
	var order []module.Version
	skipped := map[module.Version]bool{}
	for _, t := range targets {
		for _, l := range t.sum.Lines {
			v := module.Version{Path: l.Path, Version: l.Version}
			if nosum != "" && module.MatchPrefixPatterns(nosum, l.Path) {
				skipped[v] = true
				continue
			}
			if versions[v] == nil {
				versions[v] = &result{}
				order = append(order, v)
			}
		}
	}
	j.a.Infof("looking up %d module versions in %s (%s, from %s); %d skipped by GONOSUMDB/GOPRIVATE/GONOSUMCHECK",
		len(order), db.Name, db.URL, from, len(skipped))

	sem := make(chan struct{}, max(1, j.d.Concurrency))
	var wg sync.WaitGroup
	for _, v := range order {
		wg.Add(1)
		sem <- struct{}{}
		go func(v module.Version, r *result) {
			defer wg.Done()
			defer func() { <-sem }()
			zip, err := client.Lookup(v.Path, v.Version)
			if err != nil {
				r.err = err
				return
			}
			mod, err := client.Lookup(v.Path, v.Version+"/go.mod")
			r.lines, r.err = slices.Concat(zip, mod), err
		}(v, versions[v])
	}
	wg.Wait()
	j.sumdb = &SumDBStats{Database: db.Name, Checked: len(order), Skipped: len(skipped), Remote: ops.remote.Load()}
	if msg := ops.security.Load(); msg != nil {
		return nil, fmt.Errorf("checksum database %s (%s) misbehaves: %s: %w", db.Name, db.URL, strings.TrimSpace(*msg), sumdb.ErrSecurity)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	// Versions the database does not have are findings; any other failure
	// means the database did not answer, and the check cannot pass.
	notFound := map[module.Version]error{}
	var down, invalid []string
	for _, v := range order {
		r := versions[v]
		if r.err == nil {
			continue
		}
		switch fetchErr := ops.failure(lookupPath(v)); {
		case errors.Is(fetchErr, errNotFound):
			notFound[v] = r.err
		case fetchErr == nil && ops.remote.Load() > 0 && !strings.Contains(r.err.Error(), "GET "):
			invalid = append(invalid, r.err.Error()) // it answered, but the answer does not verify
		default:
			down = append(down, r.err.Error())
		}
	}
	if len(invalid) > 0 {
		return nil, fmt.Errorf("checksum database %s (%s) answered for %d of %d module versions with data that does not verify against its key %s, so go.sum cannot be checked: %s",
			db.Name, db.URL, len(invalid), len(order), db.Key, invalid[0])
	}
	if len(down) > 0 {
		return nil, fmt.Errorf("checksum database %s (%s) did not answer for %d of %d module versions, so go.sum cannot be checked (set sumdb to a database this runner can reach, or leave the sumdb check out): %s",
			db.Name, db.URL, len(down), len(order), down[0])
	}

	var fs []Finding
	for _, t := range targets {
		for _, l := range t.sum.Lines {
			v := module.Version{Path: l.Path, Version: l.Version}
			r := versions[v]
			if r == nil {
				continue // skipped
			}
			if err, ok := notFound[v]; ok {
				fs = append(fs, newFinding(RuleSumDBNotFound, t.mod, t.sum.File, l.Line, l.Key(),
					"%s %s (go.sum line %d) is not in the checksum database %s: %v", l.Path, l.Version, l.Line, db.Name, err).
					withFix("If %s is private, add it to GOPRIVATE (or GONOSUMDB); otherwise %s does not exist publicly: upgrade to a published version.", l.Path, l.Version))
				continue
			}
			want := dbHash(r.lines, l)
			switch {
			case want == l.Hash:
			case want == "":
				fs = append(fs, newFinding(RuleSumDBNotFound, t.mod, t.sum.File, l.Line, l.Key(),
					"%s: the checksum database %s has no %s hash for this go.sum line", l.Key(), db.Name, hashKind(l)))
			default:
				fs = append(fs, newFinding(RuleSumDBMismatch, t.mod, t.sum.File, l.Line, l.Key(),
					"%s %s: go.sum line %d has %s, but the checksum database %s has %s for the %s: this go.sum pins content nobody else gets",
					l.Path, l.Version, l.Line, l.Hash, db.Name, want, hashKind(l)).
					withFix("Do not build with it. Delete line %d of %s, run `go mod download %s@%s` with GOSUMDB on, and review how the code differs.", l.Line, t.sum.File, l.Path, l.Version))
			}
		}
	}
	return fs, nil
}

func hashKind(l SumLine) string {
	if l.Mod {
		return "go.mod"
	}
	return "module zip"
}

// dbHash picks the database's hash for the go.sum line (same hash
// algorithm), or "".
func dbHash(lines []string, l SumLine) string {
	alg, _, _ := strings.Cut(l.Hash, ":")
	prefix := l.Path + " " + l.Version
	if l.Mod {
		prefix += "/go.mod"
	}
	for _, dl := range lines {
		f := strings.Fields(dl)
		if len(f) == 3 && f[0]+" "+f[1] == prefix && strings.HasPrefix(f[2], alg+":") {
			return f[2]
		}
	}
	return ""
}

// lookupPath is the remote path the sumdb client fetches for v.
func lookupPath(v module.Version) string {
	ep, err1 := module.EscapePath(v.Path)
	ev, err2 := module.EscapeVersion(v.Version)
	if err1 != nil || err2 != nil {
		return ""
	}
	return "/lookup/" + ep + "@" + ev
}
