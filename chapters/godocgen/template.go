package main

import "html/template"

// pageTemplate is a package's page: a head with a style sheet, as a
// documentation site has, the package comment, an index, and every
// exported declaration with its comment.
var pageTemplate = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{.Name}} package - {{.ImportPath}} - Go standard library</title>
<meta name="description" content="{{.Synopsis}}">
<style>
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 0 auto; padding: 1rem; }
pre { background: #f4f4f4; padding: 0.5rem; overflow-x: auto; }
h2 { border-bottom: 1px solid #ddd; }
</style>
</head>
<body>
<header>
<p>Go standard library, {{.GoVersion}}</p>
<h1>Package {{.Name}}</h1>
<pre>import "{{.ImportPath}}"</pre>
</header>
<main>
<section id="pkg-overview">
<h2>Overview</h2>
{{.Doc}}
</section>
<section id="pkg-index">
<h2>Index</h2>
<ul>
{{- range .Funcs}}
<li><a href="#{{.ID}}">{{.Title}}</a></li>
{{- end}}
{{- range .Types}}
<li><a href="#{{.Decl.ID}}">{{.Decl.Title}}</a></li>
{{- range .Funcs}}
<li><a href="#{{.ID}}">{{.Title}}</a></li>
{{- end}}
{{- range .Methods}}
<li><a href="#{{.ID}}">{{.Title}}</a></li>
{{- end}}
{{- end}}
</ul>
</section>
{{- with .Consts}}
<section id="pkg-constants">
<h2>Constants</h2>
{{- range .}}{{template "decl" .}}{{end}}
</section>
{{- end}}
{{- with .Vars}}
<section id="pkg-variables">
<h2>Variables</h2>
{{- range .}}{{template "decl" .}}{{end}}
</section>
{{- end}}
{{- with .Funcs}}
<section id="pkg-functions">
<h2>Functions</h2>
{{- range .}}{{template "decl" .}}{{end}}
</section>
{{- end}}
{{- with .Types}}
<section id="pkg-types">
<h2>Types</h2>
{{- range .}}
{{- template "decl" .Decl}}
{{- range .Consts}}{{template "decl" .}}{{end}}
{{- range .Vars}}{{template "decl" .}}{{end}}
{{- range .Funcs}}{{template "decl" .}}{{end}}
{{- range .Methods}}{{template "decl" .}}{{end}}
{{- end}}
</section>
{{- end}}
</main>
</body>
</html>
{{define "decl"}}
{{- if .Title}}
<h3 id="{{.ID}}">{{.Title}}</h3>
{{- end}}
<pre>{{.Code}}</pre>
{{.Doc}}
{{- end}}`))
