import AtelierDomain
import AtelierServices
import Foundation

/// How the pages show values: the same words and formats everywhere.
enum Views {
    static let statusLabels: [OrderStatus: String] = [
        .initiated: "Started", .fileUploaded: "Model uploaded", .submitted: "Placed, being priced", .priceCalculated: "Priced",
        .manufacturingApproved: "Approved for manufacturing", .manufacturingStarted: "In manufacturing",
        .manufacturingCompleted: "Made", .packaging: "Packed", .shipped: "Shipped", .closed: "Delivered", .cancelled: "Cancelled",
    ]

    static func date(_ date: Date) -> String {
        let text = date.ISO8601Format()
        return String(text.prefix(16)).replacingOccurrences(of: "T", with: " ") + " UTC"
    }

    static func status(_ status: OrderStatus) -> [String: Any] {
        ["code": status.rawValue, "label": statusLabels[status] ?? status.rawValue, "css": status.rawValue.lowercased()]
    }

    static func number(_ value: Double, decimals: Int = 2) -> String { String(format: "%.\(decimals)f", value) }

    /// One order as a row of a table or a card.
    static func order(_ order: Order) -> [String: Any] {
        var row: [String: Any] = [
            "id": order.id, "short": String(order.id.prefix(8)), "status": status(order.status), "material": order.materialCode,
            "created": date(order.createdAt), "since": date(order.statusSince),
            "createdISO": order.createdAt.ISO8601Format(), "channel": order.channel.rawValue, "hasModel": order.modelHash != nil,
        ]
        if !order.finishCodes.isEmpty { row["finishes"] = order.finishCodes.joined(separator: ", ") }
        if let name = order.modelFilename { row["filename"] = name }
        if let assignee = order.assigneeName { row["assignee"] = assignee }
        if let tracking = order.trackingNumber { row["tracking"] = tracking }
        if let reason = order.cancelReason { row["cancelReason"] = reason }
        if let reference = order.reference { row["reference"] = reference }
        return row
    }

    static func quote(_ quote: Quote) -> [String: Any] {
        [
            "lines": quote.lines.map { ["label": $0.label, "amount": $0.amount.description] }, "total": quote.total.description,
            "grams": number(quote.metalWeightGrams), "material": quote.materialCode, "version": quote.priceListVersion,
        ]
    }

    static func model(_ model: ModelInfo) -> [String: Any] {
        [
            "filename": model.filename, "format": model.format, "volume": number(model.metrics.volumeMM3 / 1000, decimals: 3),
            "area": number(model.metrics.surfaceAreaMM2 / 100), "triangles": model.metrics.triangles, "shells": model.metrics.shells,
            "size": model.boundingBoxSizeMM.map { number($0, decimals: 1) }.joined(separator: " × "), "watertight": model.watertight,
        ]
    }

    /// The ten statuses as a timeline: done, current or ahead, with when and by whom.
    static func timeline(_ details: OrderDetails) -> [[String: Any]] {
        let reached = Dictionary(details.history.map { ($0.to, $0) }, uniquingKeysWith: { _, last in last })
        var steps = OrderStatus.allCases.filter { $0 != .cancelled }.map { status -> [String: Any] in
            var step: [String: Any] = ["status": Views.status(status)]
            if let entry = reached[status] {
                step["done"] = true
                step["at"] = date(entry.at)
                step["by"] = entry.actorName
            }
            step["current"] = status == details.order.status
            return step
        }
        if details.order.status == .cancelled, let entry = reached[.cancelled] {
            steps = steps.filter { $0["done"] != nil }
            steps.append(["status": status(.cancelled), "done": true, "current": true, "at": date(entry.at), "by": entry.actorName])
        }
        return steps
    }

    static func history(_ entries: [HistoryEntry]) -> [[String: Any]] {
        entries.reversed().map { entry in
            var row: [String: Any] = [
                "to": status(entry.to), "at": date(entry.at), "by": entry.actorName, "role": entry.actorRole.rawValue,
            ]
            if let from = entry.from { row["from"] = status(from) }
            if let note = entry.note { row["note"] = note }
            return row
        }
    }

    /// The details every order page shows, for any role.
    static func details(_ details: OrderDetails) -> [String: Any] {
        var values: [String: Any] = [
            "order": order(details.order), "timeline": timeline(details), "history": history(details.history),
            "notes": details.notes.reversed().map {
                [
                    "kind": $0.kind.rawValue, "body": $0.body, "by": $0.authorName, "at": date($0.createdAt),
                    "complaint": $0.kind == .complaint,
                ]
            },
            "moves": Set(details.allowedMoves.map(\.rawValue)).reduce(into: [String: Bool]()) { $0[$1] = true },
            "hasMoves": !details.allowedMoves.isEmpty,
        ]
        if let quote = details.quote { values["quote"] = Views.quote(quote) }
        if let model = details.model { values["model"] = Views.model(model) }
        return values
    }

    static func page<T>(_ page: Page<T>, path: String, query: [(String, String)]) -> [String: Any] {
        guard let next = page.next else { return [:] }
        var components = URLComponents()
        components.path = path
        components.queryItems =
            query.filter { $0.0 != "cursor" && !$0.1.isEmpty }.map { URLQueryItem(name: $0.0, value: $0.1) }
            + [URLQueryItem(name: "cursor", value: next.token)]
        return ["next": components.string ?? path]
    }

    /// Materials and finishes as the order forms list them.
    static func choices(_ priceList: PriceList, material selected: String? = nil) -> [String: Any] {
        let active = priceList.materials.filter(\.active)
        let chosen = selected ?? active.first?.code
        return [
            "materials": active.map {
                [
                    "code": $0.code, "name": $0.name, "selected": $0.code == chosen,
                    "perGram": Money(minorUnits: $0.pricePerGramMinor, currency: priceList.currency).description,
                ]
            },
            "finishes": priceList.finishes.filter { $0.code != "engraving" }.map {
                ["code": $0.code, "name": $0.name, "price": Money(minorUnits: $0.priceMinor, currency: priceList.currency).description]
            },
        ]
    }
}
