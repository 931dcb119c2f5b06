package judging

// flowNet is a max-flow network solved with Dinic's algorithm. Edges are
// stored in pairs: edge e and its reverse e^1.
type flowNet struct {
	adj   [][]int32 // edge ids leaving each node, in insertion order
	to    []int32
	cap   []int64 // residual capacity
	level []int32
	iter  []int32
	queue []int32
}

func newFlowNet(nodes, edgeHint int) *flowNet {
	return &flowNet{
		adj:   make([][]int32, nodes),
		to:    make([]int32, 0, 2*edgeHint),
		cap:   make([]int64, 0, 2*edgeHint),
		level: make([]int32, nodes),
		iter:  make([]int32, nodes),
		queue: make([]int32, 0, nodes),
	}
}

// addEdge adds u→v with capacity c and returns the edge id.
func (g *flowNet) addEdge(u, v int, c int64) int {
	e := len(g.to)
	g.to = append(g.to, int32(v), int32(u))
	g.cap = append(g.cap, c, 0)
	g.adj[u] = append(g.adj[u], int32(e))
	g.adj[v] = append(g.adj[v], int32(e+1))
	return e
}

// flow returns how much flow runs through edge e.
func (g *flowNet) flow(e int) int64 { return g.cap[e^1] }

// bfs levels the residual graph from s; it reports whether t is reachable.
func (g *flowNet) bfs(s, t int) bool {
	for i := range g.level {
		g.level[i] = -1
	}
	g.queue = append(g.queue[:0], int32(s))
	g.level[s] = 0
	for h := 0; h < len(g.queue); h++ {
		u := g.queue[h]
		for _, e := range g.adj[u] {
			if v := g.to[e]; g.cap[e] > 0 && g.level[v] < 0 {
				g.level[v] = g.level[u] + 1
				g.queue = append(g.queue, v)
			}
		}
	}
	return g.level[t] >= 0
}

func (g *flowNet) dfs(u, t int, f int64) int64 {
	if u == t {
		return f
	}
	for ; int(g.iter[u]) < len(g.adj[u]); g.iter[u]++ {
		e := g.adj[u][g.iter[u]]
		v := int(g.to[e])
		if g.cap[e] > 0 && g.level[v] == g.level[u]+1 {
			if d := g.dfs(v, t, min(f, g.cap[e])); d > 0 {
				g.cap[e] -= d
				g.cap[e^1] += d
				return d
			}
		}
	}
	return 0
}

// maxFlow pushes as much flow as possible from s to t and returns it.
func (g *flowNet) maxFlow(s, t int) int64 {
	var total int64
	for g.bfs(s, t) {
		for i := range g.iter {
			g.iter[i] = 0
		}
		for {
			f := g.dfs(s, t, 1<<62)
			if f == 0 {
				break
			}
			total += f
		}
	}
	return total
}

// reachable marks the nodes reachable from s in the residual graph (the
// source side of a minimum cut after maxFlow).
func (g *flowNet) reachable(s int) []bool {
	seen := make([]bool, len(g.adj))
	seen[s] = true
	stack := []int32{int32(s)}
	for len(stack) > 0 {
		u := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, e := range g.adj[u] {
			if v := g.to[e]; g.cap[e] > 0 && !seen[v] {
				seen[v] = true
				stack = append(stack, v)
			}
		}
	}
	return seen
}
