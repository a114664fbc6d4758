package main

// `azcred __complete WORDS...` is what the completion scripts call: WORDS
// are the command line after "azcred", the last one being the word under
// the cursor (empty after a space). It prints the candidates that start
// with that word, one per line. It reads the store only, never touches the
// network, and never fails loudly: a shell calls it on every TAB, so any
// trouble means no candidates, not an error on the user's screen.

import (
	"fmt"
	"sort"
	"strings"

	"github.com/alecthomas/kong"

	"github.com/azcred/azcred/helper"
	"github.com/azcred/azcred/store"
)

// CompleteCmd is the hidden `__complete` command.
type CompleteCmd struct {
	Words []string `arg:"" optional:""`
}

func (c *CompleteCmd) Run(a *app, k *kong.Context) error {
	defer func() { recover() }() // a bug here must not spill over the user's prompt
	for _, s := range completeWords(k.Model.Node, c.Words, a.predict) {
		fmt.Fprintln(a.stdout, s)
	}
	return nil
}

// predict returns the dynamic candidates of a predictor tag: saved
// context names, environment names or binding targets.
func (a *app) predict(kind string) []string {
	p, err := helper.OpenProfile(a.getenv)
	if err != nil {
		return nil
	}
	var cfgs []*store.Config
	for _, s := range []*store.Store{p.Session, p.User} {
		if s == nil {
			continue
		}
		if cfg, err := s.Load(); err == nil {
			cfgs = append(cfgs, cfg)
		}
	}
	var out []string
	for _, cfg := range cfgs {
		switch kind {
		case "context":
			out = append(out, cfg.ContextNames()...)
		case "environment":
			for _, e := range cfg.AllEnvironments() {
				out = append(out, e.Name)
			}
		case "binding":
			for _, b := range cfg.Bindings {
				out = append(out, b.Target)
			}
		}
	}
	return out
}

// completeWords walks kong's model along words and returns what may come
// next, filtered by the last word's prefix, sorted and without duplicates.
func completeWords(app *kong.Node, words []string, predict func(string) []string) []string {
	cur := ""
	if len(words) > 0 {
		cur, words = words[len(words)-1], words[:len(words)-1]
	}
	node, pos := app, 0
	var pending *kong.Flag // a flag whose value is the next word
	rest := false          // after "--" every word is positional
	for _, w := range words {
		switch {
		case pending != nil:
			pending = nil
		case !rest && w == "--":
			rest = true
		case !rest && strings.HasPrefix(w, "-") && w != "-":
			name, _, hasValue := strings.Cut(w, "=")
			if f := findFlag(node, name); f != nil && !f.IsBool() && !f.IsCounter() && !hasValue {
				pending = f
			}
		default:
			if child := findChild(node, w); child != nil && pos == 0 {
				node = child
				continue
			}
			if pos == 0 && node.DefaultCmd != nil {
				node = node.DefaultCmd // `bind TARGET CONTEXT` is `bind set TARGET CONTEXT`
			}
			pos++
		}
	}
	var cands []string
	switch {
	case pending != nil:
		cands = valuesOf(pending.Value, predict)
	case !rest && strings.HasPrefix(cur, "--") && strings.Contains(cur, "="):
		name, _, _ := strings.Cut(cur, "=")
		if f := findFlag(node, name); f != nil {
			for _, v := range valuesOf(f.Value, predict) {
				cands = append(cands, name+"="+v)
			}
		}
	case !rest && strings.HasPrefix(cur, "-"):
		for _, n := range withDefault(node) {
			for _, group := range n.AllFlags(true) {
				for _, f := range group {
					cands = append(cands, "--"+f.Name)
				}
			}
		}
	default:
		if pos == 0 {
			for _, child := range node.Children {
				if !child.Hidden {
					cands = append(cands, child.Name)
				}
			}
		}
		args := node
		if pos == 0 && len(node.Positional) == 0 && node.DefaultCmd != nil {
			args = node.DefaultCmd
		}
		if pos < len(args.Positional) {
			cands = append(cands, valuesOf(args.Positional[pos], predict)...)
		}
	}
	return filterPrefix(cands, cur)
}

func findChild(node *kong.Node, name string) *kong.Node {
	for _, c := range node.Children {
		if c.Name == name {
			return c
		}
		for _, alias := range c.Aliases {
			if alias == name {
				return c
			}
		}
	}
	return nil
}

// withDefault is node and, when it has one, its default command, whose
// flags may be given without naming it (`subscription --context X`).
func withDefault(node *kong.Node) []*kong.Node {
	if node.DefaultCmd != nil {
		return []*kong.Node{node, node.DefaultCmd}
	}
	return []*kong.Node{node}
}

// findFlag finds --name or -x among the flags of node and its parents.
func findFlag(node *kong.Node, arg string) *kong.Flag {
	for _, n := range withDefault(node) {
		for _, group := range n.AllFlags(false) {
			for _, f := range group {
				if arg == "--"+f.Name || (f.Short != 0 && arg == "-"+string(f.Short)) {
					return f
				}
				for _, alias := range f.Aliases {
					if arg == "--"+alias {
						return f
					}
				}
			}
		}
	}
	return nil
}

// valuesOf is what a flag or argument accepts: its enum, else its predictor's names.
func valuesOf(v *kong.Value, predict func(string) []string) []string {
	if v.Enum != "" {
		var out []string
		for _, e := range v.EnumSlice() {
			if e != "" {
				out = append(out, e)
			}
		}
		return out
	}
	if v.Tag != nil {
		if kind := v.Tag.Get("predictor"); kind != "" {
			return predict(kind)
		}
	}
	return nil
}

func filterPrefix(cands []string, prefix string) []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range cands {
		if strings.HasPrefix(c, prefix) && !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return out
}
