package embedded

// match reports whether s matches the glob pattern as Redis's MATCH does
// (stringmatchlen in Redis's util.c): * and ? , [abc], [^a-z], and \ to
// take the next byte as it is. The pager filters a scan's entries itself,
// rather than asking miniredis for them twice.
func match(pattern, s string) bool {
	skipLonger := false
	return matchFrom(pattern, s, &skipLonger)
}

func matchFrom(p, s string, skipLonger *bool) bool {
	for len(p) > 0 && len(s) > 0 {
		switch p[0] {
		case '*':
			for len(p) > 1 && p[1] == '*' {
				p = p[1:]
			}
			if len(p) == 1 {
				return true
			}
			for len(s) > 0 {
				if matchFrom(p[1:], s, skipLonger) {
					return true
				}
				if *skipLonger {
					return false
				}
				s = s[1:]
			}
			*skipLonger = true // a shorter s cannot match either
			return false
		case '?':
			s = s[1:]
		case '[':
			p = p[1:]
			not := len(p) > 0 && p[0] == '^'
			if not {
				p = p[1:]
			}
			matched := false
			for {
				if len(p) >= 2 && p[0] == '\\' {
					p = p[1:]
					if p[0] == s[0] {
						matched = true
					}
				} else if len(p) == 0 {
					p = " " // an unclosed class ends the pattern: step back onto it
					break
				} else if p[0] == ']' {
					break
				} else if len(p) >= 3 && p[1] == '-' {
					lo, hi := p[0], p[2]
					if lo > hi {
						lo, hi = hi, lo
					}
					if s[0] >= lo && s[0] <= hi {
						matched = true
					}
					p = p[2:]
				} else if p[0] == s[0] {
					matched = true
				}
				p = p[1:]
			}
			if matched == not {
				return false
			}
			s = s[1:]
		case '\\':
			if len(p) >= 2 {
				p = p[1:]
			}
			fallthrough
		default:
			if p[0] != s[0] {
				return false
			}
			s = s[1:]
		}
		p = p[1:]
		if len(s) == 0 {
			for len(p) > 0 && p[0] == '*' {
				p = p[1:]
			}
			break
		}
	}
	return len(p) == 0 && len(s) == 0
}
