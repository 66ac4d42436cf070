package checks

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/redis-notebook/tutorial/runner/term"
)

type (
	addScoreFunc = func(ctx context.Context, rdb *redis.Client, key, name string, points float64) error
	topKFunc     = func(ctx context.Context, rdb *redis.Client, key string, k int) ([]redis.Z, []int, error)
)

// The rules of exercise 7.
var (
	RuleServerAdd = Rule{
		Name: "add on the server with ZINCRBY, not read, add and write back",
		Why: "between the read and the write another client may add its own points, and the write " +
			"puts back a sum that leaves them out. ZINCRBY adds on the server, in one command that no " +
			"other client's can interleave with.",
	}
	RuleTopOnly = Rule{
		Name: "fetch the top of the board, not all of it",
		Why: "a leaderboard may hold millions of players. Fetching every one to show ten sends all of " +
			"them over the network and holds the server while it builds the reply; the sorted set " +
			"already keeps them in order, so the top is a range at one end.",
	}
)

// player is one line of a leaderboard the grader expects.
type player struct {
	name  string
	score float64
}

func checkLeaderboard(t *T) {
	add := lookup[addScoreFunc](t, "AddScore")
	topK := lookup[topKFunc](t, "TopK")
	board := map[string]map[string]float64{} // what each key must hold
	// Another game, on a connection of its own that the recorder does not
	// watch, adds points to the same player just before AddScore writes:
	// a read, an add in Go and a write back lose them.
	other := t.otherClient()
	defer other.Close()
	addScore := func(key, name string, points float64, meanwhile float64) {
		if board[key] == nil {
			board[key] = map[string]float64{}
		}
		// The change is made on the goroutine that serves the learner's
		// round trip, and handed back through added.
		added := make(chan float64, 1)
		if meanwhile != 0 {
			t.rec.arm(beforeScoreWrite(key), func() {
				other.ZIncrBy(context.Background(), key, meanwhile, name)
				added <- meanwhile
			}, 1)
		}
		err := t.call("AddScore", []any{key, name, points}, func() error { return add(t.ctx, t.rdb, key, name, points) })
		t.rec.arm(nil, nil, 0)
		t.noError("AddScore", err, "")
		board[key][name] += points
		select {
		case m := <-added:
			board[key][name] += m
			t.pointsKept(key, name, board[key][name], m)
		default:
		}
	}

	// The chapter's board; then more games, another ending at the same
	// time as each; then a generated board with many ties and scores
	// that are not whole numbers.
	chapter := t.key("scores")
	for _, p := range []player{{"ada", 120}, {"grace", 95}, {"alan", 120}, {"edsger", 80}, {"grace", 30}} {
		addScore(chapter, p.name, p.score, 0)
	}
	t.boardIs(chapter, board[chapter])
	for _, name := range []string{"edsger", "barbara"} {
		addScore(chapter, name, float64(5*(1+t.rnd.IntN(4))), float64(5+t.rnd.IntN(20)))
	}
	t.boardIs(chapter, board[chapter])
	gen := t.key(fmt.Sprintf("board:%d", t.rnd.IntN(1000)))
	names := t.words(40+t.rnd.IntN(20), "p")
	// A dozen levels, so that many players tie; each a whole number and a
	// quarter, a half or three quarters (which add up exactly), so that
	// whichever player is k-th, a solution that writes a score as a whole
	// number fails on every seed.
	var levels []float64
	for range 8 + t.rnd.IntN(5) {
		levels = append(levels, float64(t.rnd.IntN(100)-12)+float64(1+t.rnd.IntN(3))/4)
	}
	for _, name := range names {
		score := levels[t.rnd.IntN(len(levels))]
		// In two or three games: points taken away, or given.
		first := float64(t.rnd.IntN(200)-100) / 4
		addScore(gen, name, first, 0)
		if t.rnd.IntN(2) == 0 {
			second := float64(t.rnd.IntN(80)-40) / 2
			addScore(gen, name, second, 0)
			first += second
		}
		addScore(gen, name, score-first, 0)
	}
	t.boardIs(gen, board[gen])

	top := func(key string, k int) {
		var got []redis.Z
		var ranks []int
		err := t.call("TopK", []any{key, k}, func() (err error) {
			got, ranks, err = topK(t.ctx, t.rdb, key, k)
			return err
		})
		hint := ""
		if isNil(err) {
			hint = "a missing board is an empty one: ZREVRANGE answers an empty list, not redis.Nil"
		}
		t.noError("TopK", err, hint)
		t.topIs(key, k, board[key], got, ranks)
	}
	top(chapter, 3)
	top(chapter, 10)
	top(t.key("nobody"), 5)
	top(chapter, 0)
	want := ranked(board[gen])
	// A k that falls inside a run of ties, where ZREVRANGE's own order (Z
	// to A among equal scores) keeps the wrong names; a k whose player is
	// the first of a run of ties; and one at random.
	for i := len(want) / 3; i+1 < len(want); i++ {
		if want[i].score == want[i+1].score && want[i-1].score == want[i].score {
			top(gen, i+1)
			break
		}
	}
	for i := 1 + t.rnd.IntN(len(want)/2); i+1 < len(want); i++ {
		if want[i].score == want[i+1].score && want[i-1].score != want[i].score {
			top(gen, i+1)
			break
		}
	}
	top(gen, 1+t.rnd.IntN(3))
	top(gen, 1+t.rnd.IntN(len(want)))
}

// otherClient is another client of the exercise's Redis, on connections
// of its own, which the recorder does not watch.
func (t *T) otherClient() *redis.Client {
	o := t.rdb.Options()
	return redis.NewClient(&redis.Options{
		Network: o.Network, Addr: o.Addr, Dialer: o.Dialer, OnConnect: o.OnConnect,
		Username: o.Username, Password: o.Password, DB: o.DB, TLSConfig: o.TLSConfig,
		Protocol: o.Protocol, DisableIdentity: true,
	})
}

// beforeScoreWrite matches a round trip that may change a score at key.
func beforeScoreWrite(key string) func([]sent) bool {
	return func(cmds []sent) bool {
		for _, c := range cmds {
			switch {
			case c.name == "exec" || scripts[c.name]:
				return true
			case strings.HasPrefix(c.name, "z") && c.key() == key && c.name != "zscore" && c.name != "zmscore" &&
				!strings.Contains(c.name, "range") && !strings.Contains(c.name, "rank") && c.name != "zscan":
				return true
			}
		}
		return false
	}
}

// pointsKept fails AddScore when another game's points, added between
// its read and its write, are lost.
func (t *T) pointsKept(key, name string, want, meanwhile float64) {
	got, err := t.rdb.ZScore(t.ctx, key, name).Result()
	if err == nil && got == want {
		return
	}
	t.fail(Result{
		Message: fmt.Sprintf("broke a rule: %s (another game added %s points to %s while AddScore ran, and they were lost)",
			RuleServerAdd.Name, fmtScore(meanwhile), name),
		Rule: RuleServerAdd.Name, Why: RuleServerAdd.Why,
		Expected: fmt.Sprintf("ZSCORE %s %s is %s", key, name, fmtScore(want)),
		Got:      fmt.Sprintf("%s", showScore(got, err)),
		Sent:     t.sentLines(),
		Hint:     "rdb.ZIncrBy(ctx, key, points, name) adds on the server, and creates the player at 0 first",
	})
}

func showScore(f float64, err error) string {
	if err != nil {
		return show(err)
	}
	return fmtScore(f)
}

// ranked orders a board as TopK must: score high to low, then name A to Z.
func ranked(board map[string]float64) []player {
	var out []player
	for name, score := range board {
		out = append(out, player{name, score})
	}
	slices.SortFunc(out, func(a, b player) int {
		return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(a.name, b.name))
	})
	return out
}

// boardIs checks the scores AddScore left at key.
func (t *T) boardIs(key string, want map[string]float64) {
	got, err := t.rdb.ZRangeWithScores(t.ctx, key, 0, -1).Result()
	if err != nil {
		t.fail(Result{Message: fmt.Sprintf("the leaderboard at %s cannot be read as a sorted set: %v", key, err),
			Hint: "keep the board in one sorted set: ZINCRBY key points name"})
	}
	var wrong []string
	for _, z := range got {
		name := fmt.Sprint(z.Member)
		if w, ok := want[name]; !ok || w != z.Score {
			wrong = append(wrong, fmt.Sprintf("%s has %s, expected %s", name, fmtScore(z.Score), fmtScore(w)))
		}
	}
	if len(got) != len(want) {
		wrong = append(wrong, fmt.Sprintf("%s on the board, expected %d", term.Plural(len(got), "player"), len(want)))
	}
	if len(wrong) > 0 {
		t.fail(Result{
			Message:  fmt.Sprintf("AddScore left the wrong scores at %s", key),
			Expected: "each player's points added up, starting from 0",
			Got:      firstFew(wrong),
			Hint:     "ZINCRBY adds to the score the player has; ZADD replaces it",
		})
	}
}

func fmtScore(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// topIs checks TopK's answer for key and k, and that it did not fetch the
// whole board.
func (t *T) topIs(key string, k int, board map[string]float64, got []redis.Z, ranks []int) {
	all := ranked(board)
	want := all[:max(0, min(k, len(all)))]
	wantRanks := make([]int, len(want))
	for i := range want {
		wantRanks[i] = i + 1
		if i > 0 && want[i].score == want[i-1].score {
			wantRanks[i] = wantRanks[i-1]
		}
	}
	show := func(top []redis.Z, ranks []int) string {
		var b []string
		for i, z := range top {
			r := "?"
			if i < len(ranks) {
				r = strconv.Itoa(ranks[i])
			}
			b = append(b, fmt.Sprintf("%s. %v %s", r, z.Member, fmtScore(z.Score)))
		}
		if len(b) == 0 {
			return "nothing"
		}
		return strings.Join(b, ", ")
	}
	var wantZ []redis.Z
	for _, p := range want {
		wantZ = append(wantZ, redis.Z{Score: p.score, Member: p.name})
	}
	r := Result{Expected: show(wantZ, wantRanks), Got: show(got, ranks)}
	same := func(a, b []redis.Z) bool {
		return slices.EqualFunc(a, b, func(x, y redis.Z) bool { return x.Score == y.Score && fmt.Sprint(x.Member) == fmt.Sprint(y.Member) })
	}
	byName := func(zs []redis.Z) []redis.Z {
		s := slices.Clone(zs)
		slices.SortFunc(s, func(a, b redis.Z) int { return cmp.Compare(fmt.Sprint(a.Member), fmt.Sprint(b.Member)) })
		return s
	}
	switch {
	case len(got) != len(want):
		r.Message = fmt.Sprintf("TopK returned %s; expected %d", term.Plural(len(got), "player"), len(want))
		r.Hint = "k players, or all of them when the board holds fewer; none when k < 1 or there is no board"
	case same(got, wantZ) && len(ranks) != len(got):
		r.Message = fmt.Sprintf("TopK returned %s and %s", term.Plural(len(got), "player"), term.Plural(len(ranks), "rank"))
		r.Hint = "one rank per player: ranks[i] is the rank of top[i]"
	case same(got, wantZ):
		switch {
		case slices.Equal(ranks, wantRanks):
		case isDense(ranks, got):
			r.Message = "TopK ranked ties as 1, 2, 2, 3: after players tied, the ranks skip"
			r.Hint = "a player's rank is 1 plus the number of players with a higher score: 50, 40, 40, 30 rank 1, 2, 2, 4"
		default:
			r.Message = "TopK gave players with equal scores different ranks, or the wrong ranks"
			r.Hint = "equal scores share a rank, which is 1 plus the number of players with a higher score: 50, 40, 40, 30 rank 1, 2, 2, 4"
		}
	case same(byName(got), byName(wantZ)):
		r.Message = "TopK returned the right players, but players with equal scores are not in name order"
		r.Hint = "ZREVRANGE orders equal scores by name Z to A; sort them A to Z (slices.SortStableFunc, score first, then name)"
	case slices.EqualFunc(got, wantZ, func(x, y redis.Z) bool { return x.Score == y.Score }):
		r.Message = "TopK kept the wrong players among those tied at the k-th place"
		r.Hint = "of the players tied with the k-th, those first by name A to Z are kept; ZREVRANGE 0 k-1 may have cut them " +
			"off, since it orders ties Z to A: fetch the tied ones with ZRANGEBYSCORE, their score as min and max"
	default:
		r.Message = "TopK returned the wrong players"
		r.Hint = "ZREVRANGE key 0 k-1 WITHSCORES (rdb.ZRevRangeWithScores) lists the board from the highest score down"
	}
	if r.Message != "" {
		r.Message += fmt.Sprintf(" (k = %d, %s on the board)", k, term.Plural(len(all), "player"))
		t.fail(r)
	}
	// The whole board: judged by how many players the replies carried,
	// whatever the commands that fetched them. The top k, and every
	// player tied with the k-th, are all a right answer needs; twice
	// that leaves room for a look past them (a k+1-th, to see whether
	// the tie goes on), and still catches a board fetched whole.
	need := len(want)
	if len(want) > 0 {
		for _, p := range all {
			if p.score == want[len(want)-1].score {
				need++
			}
		}
	}
	most := 2 * need
	carried := 0
	for _, s := range t.rec.replies() {
		if _, ok := board[s]; ok {
			carried++
		}
	}
	if carried > most && len(all) > most {
		t.fail(Result{
			Message: fmt.Sprintf("broke a rule: %s (the replies carried %s of a board of %d, for a top %d: that top and the players tied with its last are %d)",
				RuleTopOnly.Name, term.Plural(carried, "player"), len(all), k, need),
			Rule: RuleTopOnly.Name, Why: RuleTopOnly.Why,
			Sent: t.sentLines(),
			Hint: "ZREVRANGE key 0 k-1 WITHSCORES fetches the first k; then only the players tied with the k-th, by their score",
		})
	}
}

// sentLines shows the commands of the last call, each with its round
// trip, for a message.
func (t *T) sentLines() []string {
	cmds, _ := t.rec.sent()
	var out []string
	for _, c := range cmds {
		out = append(out, fmt.Sprintf("%s (round trip %d)", c, c.trip))
	}
	if len(out) > 8 {
		out = append(out[:7], fmt.Sprintf("… and %d more", len(out)-7))
	}
	return out
}

// fieldN is the n-th word of s (0 is the command's name), or "".
func fieldN(s string, n int) string {
	f := strings.Fields(s)
	if n < len(f) {
		return f[n]
	}
	return ""
}

// isDense says whether ranks number tied groups 1, 2, 3 without gaps.
func isDense(ranks []int, top []redis.Z) bool {
	for i := range ranks {
		want := 1
		if i > 0 {
			want = ranks[i-1]
			if top[i].Score != top[i-1].Score {
				want++
			}
		}
		if ranks[i] != want {
			return false
		}
	}
	return true
}
