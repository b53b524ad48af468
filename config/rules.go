package config

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"

	"github.com/gatehouse/gatehouse/auth"
)

// RulesError is a rules file that cannot be used: the file, the line
// (0 when the file could not be read at all) and what is wrong, on one line.
type RulesError struct {
	File string
	Line int
	Msg  string
}

func (e *RulesError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("GATEHOUSE_ACCESS_RULES: %s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("GATEHOUSE_ACCESS_RULES: %s:%d: %s", e.File, e.Line, e.Msg)
}

// maxRulesFile bounds the file read: rules for a few hundred hosts are a
// few tens of kilobytes.
const maxRulesFile = 1 << 20

// LoadRules reads and parses the access-rules file of forward-auth
// (CONTRACT §9). Every error is a *RulesError.
func LoadRules(path string) (*auth.AccessRules, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &RulesError{File: path, Msg: oneLine(unwrapPathError(err))}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxRulesFile+1))
	if err != nil {
		return nil, &RulesError{File: path, Msg: oneLine(unwrapPathError(err))}
	}
	if len(data) > maxRulesFile {
		return nil, &RulesError{File: path, Msg: "larger than 1 MiB"}
	}
	return ParseRules(path, data)
}

func unwrapPathError(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Op + ": " + pe.Err.Error()
	}
	return err.Error()
}

// The file's shape. Rules are kept as nodes so each can be decoded
// strictly on its own and its errors carry its line.
type rulesDoc struct {
	Rules   []ast.Node `yaml:"rules"`
	Default ast.Node   `yaml:"default"`
}

type ruleDoc struct {
	Host     string   `yaml:"host"`
	Path     string   `yaml:"path"`
	Methods  []string `yaml:"methods"`
	Networks []string `yaml:"networks"`
	Require  string   `yaml:"require"`
}

// ParseRules parses a rules file's content; name is the file's name for
// errors. Unknown keys, unknown levels, bad networks, a missing host or
// level are errors naming the line.
func ParseRules(name string, data []byte) (*auth.AccessRules, error) {
	var doc rulesDoc
	if err := yaml.UnmarshalWithOptions(data, &doc, yaml.Strict()); err != nil {
		return nil, yamlError(name, err)
	}
	rs := &auth.AccessRules{Default: auth.Level{Kind: auth.LevelDeny}}
	if doc.Default != nil && !isNull(doc.Default) {
		var s string
		if err := yaml.NodeToValue(doc.Default, &s); err != nil {
			return nil, yamlError(name, err)
		}
		l, err := auth.ParseLevel(s)
		if err != nil {
			return nil, &RulesError{File: name, Line: lineOf(doc.Default), Msg: "default: " + err.Error()}
		}
		rs.Default = l
	}
	for i, n := range doc.Rules {
		r, err := parseRule(name, i, n)
		if err != nil {
			return nil, err
		}
		rs.Rules = append(rs.Rules, r)
	}
	return rs, nil
}

func parseRule(name string, i int, n ast.Node) (auth.AccessRule, error) {
	at := func(key, msg string) error {
		return &RulesError{File: name, Line: keyLine(n, key), Msg: fmt.Sprintf("rule %d: %s", i+1, msg)}
	}
	if _, ok := mappingValues(n); !ok {
		return auth.AccessRule{}, &RulesError{File: name, Line: lineOf(n), Msg: fmt.Sprintf("rule %d: want a mapping with host and require", i+1)}
	}
	var d ruleDoc
	if err := yaml.NodeToValue(n, &d, yaml.Strict()); err != nil {
		return auth.AccessRule{}, yamlError(name, err)
	}
	r := auth.AccessRule{
		Host: strings.ToLower(strings.TrimSuffix(d.Host, ".")), Path: d.Path, Line: lineOf(n),
	}
	if d.Host == "" {
		return r, at("host", "host: missing")
	}
	for _, m := range d.Methods {
		r.Methods = append(r.Methods, strings.ToUpper(m))
	}
	for j, s := range d.Networks {
		p, err := parseNetwork(s)
		if err != nil {
			return r, &RulesError{File: name, Line: elemLine(n, "networks", j),
				Msg: fmt.Sprintf("rule %d: networks: %q: want a CIDR such as 10.0.0.0/8 or an address", i+1, s)}
		}
		r.Networks = append(r.Networks, p)
	}
	if d.Require == "" {
		return r, at("require", "require: missing")
	}
	l, err := auth.ParseLevel(d.Require)
	if err != nil {
		return r, at("require", "require: "+err.Error())
	}
	r.Require = l
	if err := r.Check(); err != nil {
		key, _, _ := strings.Cut(err.Error(), " ")
		key = strings.TrimSuffix(key, ":")
		if key == "method" {
			key = "methods"
		}
		return r, at(key, err.Error())
	}
	return r, nil
}

func parseNetwork(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return p, err
		}
		if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Prefix{}, errors.New("bad address")
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

func yamlError(name string, err error) error {
	var ye yaml.Error
	if errors.As(err, &ye) {
		line := 0
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			line = tk.Position.Line
		}
		return &RulesError{File: name, Line: line, Msg: oneLine(ye.GetMessage())}
	}
	return &RulesError{File: name, Msg: oneLine(err.Error())}
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func isNull(n ast.Node) bool { return n.Type() == ast.NullType }

func lineOf(n ast.Node) int {
	if tk := n.GetToken(); tk != nil && tk.Position != nil {
		return tk.Position.Line
	}
	return 0
}

func mappingValues(n ast.Node) ([]*ast.MappingValueNode, bool) {
	switch m := n.(type) {
	case *ast.MappingNode:
		return m.Values, true
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{m}, true
	}
	return nil, false
}

// keyLine is the line of key's value in the mapping n, else n's own line.
func keyLine(n ast.Node, key string) int {
	if v := valueOf(n, key); v != nil {
		if l := lineOf(v.Value); l > 0 {
			return l
		}
		return lineOf(v.Key)
	}
	return lineOf(n)
}

// elemLine is the line of the i-th item of the list under key, else
// keyLine's.
func elemLine(n ast.Node, key string, i int) int {
	if v := valueOf(n, key); v != nil {
		if seq, ok := v.Value.(*ast.SequenceNode); ok && i < len(seq.Values) {
			if l := lineOf(seq.Values[i]); l > 0 {
				return l
			}
		}
	}
	return keyLine(n, key)
}

func valueOf(n ast.Node, key string) *ast.MappingValueNode {
	values, _ := mappingValues(n)
	for _, v := range values {
		if v.Key != nil && v.Key.String() == key {
			return v
		}
	}
	return nil
}
