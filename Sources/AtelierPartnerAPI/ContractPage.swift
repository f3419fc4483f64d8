import Foundation
import Yams

/// The partner API's contract, `openapi.yaml`, as shipped with the program, and a readable HTML
/// page made from it (no script, no CDN): every operation with its parameters, body and answers,
/// then every schema.
struct Contract: Sendable {
    let yaml: String
    let html: String
    /// Each path of the contract (its parts, `{…}` matching any one part) and its methods.
    let operations: [(parts: [String], methods: Set<String>)]

    /// The methods the contract has for `path`; nil when it has no such path.
    func methods(for path: String) -> Set<String>? {
        let parts = path.split(separator: "/").map(String.init)
        for operation in operations where operation.parts.count == parts.count {
            if zip(operation.parts, parts).allSatisfy({ $0.hasPrefix("{") || $0 == $1 }) { return operation.methods }
        }
        return nil
    }

    static func load() throws -> Contract {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"),
            let yaml = try? String(contentsOf: url, encoding: .utf8)
        else { throw ContractError(description: "The partner API contract (openapi.yaml) is missing from the program's resources.") }
        guard let root = try Yams.compose(yaml: yaml) else { throw ContractError(description: "The partner API contract is empty.") }
        let operations = (root["paths"]?.mapping ?? [:]).map { path, item in
            (
                parts: (path.string ?? "").split(separator: "/").map(String.init),
                methods: Set((item.mapping ?? [:]).keys.compactMap { $0.string?.uppercased() })
            )
        }
        return Contract(yaml: yaml, html: ContractPage(root: root).render(), operations: operations)
    }
}

struct ContractError: Error, CustomStringConvertible {
    var description: String
}

private struct ContractPage {
    let root: Node

    func render() -> String {
        let title = root["info"]?["title"]?.string ?? "API"
        var html = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title))</title>
            <style>
            body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
            code,pre{font:14px ui-monospace,monospace;background:#f4f1ec;padding:.1rem .3rem;border-radius:3px}
            h2{border-bottom:1px solid #ccc;margin-top:2.5rem}
            section.op{border:1px solid #ddd;border-radius:6px;padding:.5rem 1rem;margin:1rem 0}
            .verb{font-weight:700;text-transform:uppercase;margin-right:.5rem}
            table{border-collapse:collapse;width:100%;margin:.5rem 0}td,th{border-top:1px solid #eee;text-align:left;padding:.25rem .5rem;vertical-align:top}
            nav a{margin-right:1rem}
            </style></head><body>
            <h1>\(escape(title)) <small>\(escape(root["info"]?["version"]?.string ?? ""))</small></h1>
            <nav><a href="/openapi.yaml">openapi.yaml</a><a href="#operations">Operations</a><a href="#schemas">Schemas</a></nav>
            \(paragraphs(root["info"]?["description"]?.string))
            <h2 id="operations">Operations</h2>

            """
        for (pathNode, item) in root["paths"]?.mapping ?? [:] {
            let path = pathNode.string ?? ""
            for (verbNode, operation) in item.mapping ?? [:] {
                html += operationSection(verb: verbNode.string ?? "", path: path, operation: operation)
            }
        }
        html += "<h2 id=\"schemas\">Schemas</h2>\n"
        for (name, schema) in root["components"]?["schemas"]?.mapping ?? [:] {
            let id = name.string ?? ""
            html += "<section class=\"op\" id=\"schema-\(escape(id))\"><h3>\(escape(id))</h3>\(paragraphs(schema["description"]?.string))"
            html += schemaTable(schema)
            html += "</section>\n"
        }
        return html + "</body></html>\n"
    }

    private func operationSection(verb: String, path: String, operation: Node) -> String {
        var html = "<section class=\"op\" id=\"\(escape(operation["operationId"]?.string ?? path))\">"
        html += "<h3><span class=\"verb\">\(escape(verb))</span><code>\(escape(path))</code></h3>"
        html += "<p>\(inline(operation["summary"]?.string ?? ""))</p>\(paragraphs(operation["description"]?.string))"
        let parameters = (operation["parameters"]?.sequence.map(Array.init) ?? []).map(resolve)
        if !parameters.isEmpty {
            html += "<table><tr><th>Parameter</th><th>In</th><th>Type</th><th>Description</th></tr>"
            for parameter in parameters {
                let required = parameter["required"]?.bool == true ? " (required)" : ""
                html += "<tr><td><code>\(escape(parameter["name"]?.string ?? ""))</code>\(required)</td>"
                html += "<td>\(escape(parameter["in"]?.string ?? ""))</td><td>\(typeName(parameter["schema"]))</td>"
                html += "<td>\(inline(parameter["description"]?.string ?? ""))</td></tr>"
            }
            html += "</table>"
        }
        if let content = operation["requestBody"]?["content"]?.mapping {
            for (type, media) in content {
                html += "<p>Body: <code>\(escape(type.string ?? ""))</code> \(typeName(media["schema"]))</p>"
            }
        }
        html += "<table><tr><th>Answer</th><th>Meaning</th><th>Body</th></tr>"
        for (status, response) in operation["responses"]?.mapping ?? [:] {
            let resolved = resolve(response)
            let bodies = (resolved["content"]?.mapping ?? [:]).map {
                "<code>\(escape($0.key.string ?? ""))</code> \(typeName($0.value["schema"]))"
            }
            html += "<tr><td>\(escape(status.string ?? ""))</td><td>\(inline(resolved["description"]?.string ?? ""))</td>"
            html += "<td>\(bodies.joined(separator: "<br>"))</td></tr>"
        }
        return html + "</table></section>\n"
    }

    private func schemaTable(_ schema: Node) -> String {
        guard let properties = schema["properties"]?.mapping else {
            if let values = schema["enum"]?.sequence {
                return "<p>One of: " + values.compactMap(\.string).map { "<code>\(escape($0))</code>" }.joined(separator: ", ") + "</p>"
            }
            return "<p>\(typeName(schema))</p>"
        }
        let required = Set(schema["required"]?.sequence?.compactMap(\.string) ?? [])
        var html = "<table><tr><th>Field</th><th>Type</th><th>Description</th></tr>"
        for (name, property) in properties {
            let key = name.string ?? ""
            html += "<tr><td><code>\(escape(key))</code>\(required.contains(key) ? " (required)" : "")</td>"
            html += "<td>\(typeName(property))</td><td>\(inline(property["description"]?.string ?? ""))</td></tr>"
        }
        return html + "</table>"
    }

    /// Follows a local `$ref`.
    private func resolve(_ node: Node) -> Node {
        guard let reference = node["$ref"]?.string, reference.hasPrefix("#/") else { return node }
        var current: Node? = root
        for part in reference.dropFirst(2).split(separator: "/") { current = current?[String(part)] }
        return current ?? node
    }

    private func typeName(_ schema: Node?) -> String {
        guard let schema else { return "" }
        if let reference = schema["$ref"]?.string {
            let name = String(reference.split(separator: "/").last ?? "")
            return "<a href=\"#schema-\(escape(name))\">\(escape(name))</a>"
        }
        if schema["type"]?.string == "array" { return "array of " + typeName(schema["items"]) }
        let format = schema["format"]?.string.map { " (\(escape($0)))" } ?? ""
        return escape(schema["type"]?.string ?? "any") + format
    }

    private func paragraphs(_ text: String?) -> String {
        guard let text, !text.isEmpty else { return "" }
        return text.components(separatedBy: "\n\n").map { "<p>\(inline($0))</p>" }.joined(separator: "\n")
    }

    /// Escapes, then shows `code` and **bold** of the contract's Markdown.
    private func inline(_ text: String) -> String {
        var result = ""
        var inCode = false, inBold = false
        var index = text.startIndex
        let escaped = escape(text)
        index = escaped.startIndex
        while index < escaped.endIndex {
            if escaped[index] == "`" {
                result += inCode ? "</code>" : "<code>"
                inCode.toggle()
            } else if !inCode, escaped[index...].hasPrefix("**") {
                result += inBold ? "</strong>" : "<strong>"
                inBold.toggle()
                index = escaped.index(after: index)
            } else {
                result.append(escaped[index])
            }
            index = escaped.index(after: index)
        }
        if inCode { result += "</code>" }
        if inBold { result += "</strong>" }
        return result
    }

    private func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
