import AtelierDomain
import AtelierGeometry
import AtelierServices
import AtelierText
import Foundation

/// How the pages show values: the same words and formats everywhere.
enum Views {
    static let statusLabels: [OrderStatus: Phrase] = [
        .initiated: "Started", .fileUploaded: "Model uploaded", .submitted: "Placed, being priced", .priceCalculated: "Priced",
        .manufacturingApproved: "Approved for manufacturing", .manufacturingStarted: "In manufacturing",
        .manufacturingCompleted: "Made", .packaging: "Packed", .shipped: "Shipped", .closed: "Delivered", .cancelled: "Cancelled",
    ]

    static let roleLabels: [Role: Phrase] = [
        .customer: "customer", .seller: "seller", .operator: "operator", .admin: "admin", .partner: "partner", .carrier: "carrier",
        .system: "system",
    ]

    /// A status in the person's language.
    static func status(_ status: OrderStatus) -> String { statusLabels[status]?.localized ?? status.rawValue }

    /// A moment in the person's language and time zone: `2 Dec 2026, 15:04`.
    static func date(_ date: Date) -> String { Addressee.current.dateTime(date) }

    /// A day: `9 December 2026`, `9 декабря 2026 г.`.
    static func day(_ date: Date) -> String { Addressee.current.day(date) }

    static func number(_ value: Double, decimals: Int = 2) -> String { Addressee.current.number(value, decimals: decimals) }

    /// A name from the data (a material, a finish, a piece of the catalog) in the person's
    /// language where the catalogue has it (the demo data's names), else as it was entered.
    static func name(_ name: String) -> String { Catalogue.for(Addressee.current.language).translate(name) }

    /// A note of an order's history in the person's language: the notes the program writes
    /// (`order created`, `model ring.stl`, `quoted 236.17 EUR`, `tracking TRK-1`) are said again;
    /// what a person wrote stays as they wrote it.
    static func note(_ note: String) -> String {
        if note == "order created" { return Phrase("order created").localized }
        if note == "delivered" { return Phrase("delivered").localized }
        for (prefix, phrase) in [
            ("model ", { (value: String) -> Phrase in "model \(value)" }), ("quoted ", { "quoted \($0)" }),
            ("tracking ", { "tracking \($0)" }),
        ] where note.hasPrefix(prefix) {
            return phrase(String(note.dropFirst(prefix.count))).localized
        }
        return note
    }

    /// A ring size in the three systems: the Russian (the inner diameter), EU and US.
    static func ringSize(innerDiameterMM: Double) -> String {
        let ring = JewelryDesign(sizeStandard: .ru, size: innerDiameterMM)
        let eu = number(ring.size(in: .eu), decimals: 0), us = number((ring.size(in: .us) * 4).rounded() / 4, decimals: 2)
        return Phrase("size \(number(innerDiameterMM, decimals: 1)) (Russian) · EU \(eu) · US \(us)").localized
    }

    /// A line of a quote in the person's language. The stored label was written in English when
    /// the quote was made (`Yellow gold 585 (14k), 3.20 g`, `Casting loss 5.0 %`); its parts are
    /// said again from the line's code, and a label of another shape is shown as it is.
    static func label(of line: QuoteLine) -> String {
        /// The percentage of a label `<prefix>5.0 %`, written in the person's language.
        func number(after prefix: String) -> String? {
            guard line.label.hasPrefix(prefix), line.label.hasSuffix(" %") else { return nil }
            let text = String(line.label.dropFirst(prefix.count).dropLast(2))
            return Double(text).map { Views.number($0, decimals: 1) } ?? text
        }
        switch line.code {
        case "labour":
            return Phrase("Labour").localized
        case "casting-loss":
            guard let percent = number(after: "Casting loss ") else { return line.label }
            return Phrase("Casting loss \(percent) %").localized
        case "markup":
            guard let percent = number(after: "Markup ") else { return line.label }
            return Phrase("Markup \(percent) %").localized
        case "metal":
            guard let comma = line.label.range(of: ", ", options: .backwards), line.label.hasSuffix(" g") else { return line.label }
            let sent = String(line.label[comma.upperBound...].dropLast(2))
            let grams = Double(sent).map { Views.number($0, decimals: 2) } ?? sent
            return Phrase("\(name(String(line.label[..<comma.lowerBound]))), \(grams) g").localized
        default:
            return line.code.hasPrefix("finish:") ? name(line.label) : line.label
        }
    }

    /// An amount as the person's language writes it: `€1,234.56`, `1 234,56 ₽`.
    static func money(_ money: Money) -> String { Addressee.current.amount(minorUnits: money.minorUnits, currency: money.currency) }

    /// The ten statuses as a timeline: done, current or ahead, with when and by whom.
    static func timeline(_ details: OrderDetails) -> [TimelineStep] {
        let reached = Dictionary(details.history.map { ($0.to, $0) }, uniquingKeysWith: { _, last in last })
        var steps = OrderStatus.allCases.filter { $0 != .cancelled }.map { status -> TimelineStep in
            var step = TimelineStep(status: StatusView(status), current: status == details.order.status)
            if let entry = reached[status] {
                step.done = true
                step.at = date(entry.at)
                step.by = name(entry.actorName)
            }
            return step
        }
        if details.order.status == .cancelled, let entry = reached[.cancelled] {
            steps = steps.filter(\.done)
            steps.append(
                TimelineStep(status: StatusView(.cancelled), done: true, current: true, at: date(entry.at), by: name(entry.actorName)))
        }
        return steps
    }

    /// The link to the page after `page`, keeping the other fields of the query; nil on the last page.
    static func next<T>(_ page: Page<T>, path: String, query: [(String, String)]) -> String? {
        guard let next = page.next else { return nil }
        var components = URLComponents()
        components.path = path
        components.queryItems =
            query.filter { $0.0 != "cursor" && !$0.1.isEmpty }.map { URLQueryItem(name: $0.0, value: $0.1) }
            + [URLQueryItem(name: "cursor", value: next.token)]
        return components.string ?? path
    }
}
