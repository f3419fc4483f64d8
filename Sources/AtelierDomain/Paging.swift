import Foundation

/// A request for one page of a list: at most `limit` items after `cursor`.
public struct PageRequest: Sendable, Hashable {
    public var cursor: Cursor?
    public var limit: Int

    public init(cursor: Cursor? = nil, limit: Int = 50) {
        self.cursor = cursor
        self.limit = max(1, min(limit, 200))
    }
}

/// One page and the cursor of the next one (nil on the last page).
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var next: Cursor?

    public init(items: [Item], next: Cursor?) {
        self.items = items
        self.next = next
    }
}

extension Page {
    /// The same page with each item transformed.
    public func map<Other: Sendable>(_ transform: (Item) -> Other) -> Page<Other> {
        Page<Other>(items: items.map(transform), next: next)
    }

    /// Makes a page from up to `limit + 1` fetched items: the extra one only says there is a next page.
    public static func cut(_ fetched: [Item], limit: Int, cursor: (Item) -> Cursor) -> Page {
        guard fetched.count > limit else { return Page(items: fetched, next: nil) }
        let items = Array(fetched.prefix(limit))
        return Page(items: items, next: items.last.map(cursor))
    }
}

/// A position in a list sorted by (time, id) descending: opaque to clients.
public struct Cursor: Sendable, Hashable {
    public var millis: Int64
    public var id: String

    public init(millis: Int64, id: String) {
        self.millis = millis
        self.id = id
    }

    /// URL-safe text form.
    public var token: String {
        Data("\(millis):\(id)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Parses a token made by ``token``; nil for anything else.
    public init?(token: String) {
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard token.count <= 200, let data = Data(base64Encoded: base64),
            let text = String(data: data, encoding: .utf8),
            let colon = text.firstIndex(of: ":"), let millis = Int64(text[..<colon])
        else { return nil }
        self.millis = millis
        self.id = String(text[text.index(after: colon)...])
    }
}
