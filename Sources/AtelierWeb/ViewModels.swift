import AtelierDomain
import AtelierServices
import AtelierText
import Foundation

// The values the templates show, one type per thing shown. A template reads their properties by
// name; a property that is nil or false leaves its section out.

/// What every page has around its content: the title, the navigation, who is signed in, a message.
struct Chrome {
    struct Link {
        var href: String
        var label: String
        var current: Bool
    }

    struct User {
        var name: String
        var role: String
    }

    /// A language the person can switch to; `next` is the page to come back to.
    struct LanguageChoice {
        var code: String
        var name: String
        var current: Bool
        var next: String
    }

    var title: String
    var nav: [Link]
    var user: User?
    var flash: String?
    var error: String?
    /// The page's language (`<html lang>`) and the switch.
    var language: String
    var languages: [LanguageChoice]
}

/// A page's own values; the site adds the ``Chrome``.
protocol PageModel {
    var chrome: Chrome? { get set }
}

/// A status as the pages show it.
struct StatusView {
    var code: String
    var label: String
    var css: String

    init(_ status: OrderStatus) {
        code = status.rawValue
        label = Views.status(status)
        css = status.rawValue.lowercased()
    }
}

/// One order as a row of a table or a card.
struct OrderRow {
    var id: String
    var short: String
    var status: StatusView
    var material: String
    var created: String
    var since: String
    var createdISO: String
    var channel: String
    var hasModel: Bool
    var finishes: String?
    var filename: String?
    var assignee: String?
    var tracking: String?
    var cancelReason: String?
    var reference: String?
    /// The day the workshop promised to deliver by, once placed (shown until it is delivered).
    var promised: String?
    /// The operator's next step on "My work".
    var complete = false
    var package = false
    var ship = false
    /// Where it goes, at the shipping step.
    var shipTo: DeliveryView?
    /// On the sellers' list: who ordered and what it costs.
    var customerName: String?
    var customerEmail: String?
    var total: String?
    /// On the stalled board: how late, and who must act.
    var overdue: String?
    var responsible: String?
    /// The pricing job's casting check found a rule the model breaks: its picture and price are marked.
    var castingWarning = false

    init(_ summary: OrderSummary) {
        self.init(summary.order)
        customerName = summary.customerName
        customerEmail = summary.customerEmail
        total = summary.total.map(Views.money)
        castingWarning = summary.castable == false
    }

    init(_ order: Order) {
        id = order.id
        short = String(order.id.prefix(8))
        status = StatusView(order.status)
        material = order.materialCode
        created = Views.date(order.createdAt)
        since = Views.date(order.statusSince)
        createdISO = order.createdAt.ISO8601Format()
        channel = order.channel.rawValue
        hasModel = order.modelHash != nil
        finishes = order.finishCodes.isEmpty ? nil : order.finishCodes.joined(separator: ", ")
        filename = order.modelFilename
        assignee = order.assigneeName
        tracking = order.trackingNumber
        cancelReason = order.cancelReason
        reference = order.reference
        if ![.closed, .cancelled].contains(order.status) { promised = order.promisedBy.map(Views.day) }
    }
}

struct QuoteView {
    struct Line {
        var label: String
        var amount: String
    }
    var lines: [Line]
    var total: String
    var grams: String
    var material: String
    var version: Int
    /// The labour rule that made it (1 or 2).
    var rules: Int
    /// Whether it can be cast, as the pricing job found.
    var casting: CastingView?

    init(_ quote: Quote) {
        lines = quote.lines.map { Line(label: Views.label(of: $0), amount: Views.money($0.amount)) }
        total = Views.money(quote.total)
        grams = Views.number(quote.metalWeightGrams)
        material = quote.materialCode
        version = quote.priceListVersion
        rules = quote.rules.rawValue
        casting = quote.casting.map(CastingView.init)
    }
}

/// A quote's casting check in the person's language: the verdict, each broken rule, the ring size.
struct CastingView {
    var castable: Bool
    var summary: String
    var problems: [String]
    var hasProblems = false
    var ring: String?
    /// For the viewer: the required wall, mm (a plain number), and where each broken rule's
    /// region is thinnest ("x y z" in mm, separated by ";").
    var wallMM: String
    var wall: String
    var regions: String

    init(_ report: CastingReport) {
        castable = report.castable
        let (material, wall, detail) = (report.materialCode, Views.number(report.requiredWallMM), Views.number(report.requiredDetailMM))
        if report.castable, let thinnest = report.thinnestMM {
            summary =
                Phrase(
                    "Can be cast in \(material): walls from \(wall) mm, details from \(detail) mm; the thinnest wall is \(Views.number(thinnest)) mm."
                ).localized
        } else {
            summary = Phrase("Cannot be cast in \(material) as it is: walls need \(wall) mm, details \(detail) mm.").localized
        }
        problems = report.problems.map { problem in
            let (thin, needed, area) = (
                Views.number(problem.thinnestMM), Views.number(problem.requiredMM), Views.number(problem.areaMM2, decimals: 1)
            )
            let place = problem.at.map { Views.number($0, decimals: 1) }
            let (x, y, z) = (place.first ?? "", place.dropFirst().first ?? "", place.last ?? "")
            return switch problem.rule {
            case .wall: Phrase("A wall of \(thin) mm where \(needed) mm is needed: \(area) mm² around x \(x), y \(y), z \(z).").localized
            case .detail:
                Phrase("A detail of \(thin) mm where \(needed) mm is needed: \(area) mm² around x \(x), y \(y), z \(z).").localized
            }
        }
        if report.unmeasuredTriangles > 0 {
            problems.append(Phrase("\(report.unmeasuredTriangles) triangles could not be measured: the model is open there.").localized)
        }
        hasProblems = !problems.isEmpty
        ring = report.ring.map { Views.ringSize(innerDiameterMM: $0.innerDiameterMM) }
        wallMM = String(report.requiredWallMM)
        self.wall = wall
        regions = report.problems.map { $0.at.map { String(Float($0)) }.joined(separator: " ") }.joined(separator: ";")
    }
}

struct ModelView {
    var filename: String
    var format: String
    var volume: String
    var area: String
    var triangles: Int
    var shells: Int
    var size: String
    var watertight: Bool

    init(_ model: ModelInfo) {
        filename = model.filename
        format = model.format
        volume = Views.number(model.metrics.volumeMM3 / 1000, decimals: 3)
        area = Views.number(model.metrics.surfaceAreaMM2 / 100)
        triangles = model.metrics.triangles
        shells = model.metrics.shells
        size = model.boundingBoxSizeMM.map { Views.number($0, decimals: 1) }.joined(separator: " × ")
        watertight = model.watertight
    }
}

/// One of the ten statuses on an order's timeline: done, current or ahead, with when and by whom.
struct TimelineStep {
    var status: StatusView
    var done = false
    var current = false
    var at: String?
    var by: String?
}

struct HistoryRow {
    var to: StatusView
    var from: StatusView?
    var at: String
    var by: String
    var role: String
    var note: String?
}

struct NoteRow {
    var kind: String
    var body: String
    var by: String
    var at: String
    var complaint: Bool
}

/// An order's page, for whoever looks at it: the shop's, the CRM's and the MES's.
struct OrderPage: PageModel {
    var chrome: Chrome?
    var order: OrderRow
    var timeline: [TimelineStep]
    var history: [HistoryRow]
    var notes: [NoteRow]
    /// The statuses the viewer may move the order to, by code (`moves.CANCELLED`).
    var moves: [String: Bool]
    var hasMoves: Bool
    var quote: QuoteView?
    /// The model breaks a casting rule: the seller's approve button warns.
    var castingWarning: Bool
    var model: ModelView?
    // What the page offers, by surface.
    var seller = false
    var canSubmit = false
    var canCancel = false
    var canTake = false
    var mine = false
    /// Where the page asks for the status while the order moves.
    var poll: String?
    /// Where it goes, once placed.
    var delivery: DeliveryView?
    /// Who ordered it (the sellers' page).
    var customer: CustomerView?
    /// The checkout's fields, while it can be placed.
    var checkout: CheckoutForm?

    init(_ details: OrderDetails) {
        order = OrderRow(details.order)
        timeline = Views.timeline(details)
        history = details.history.reversed().map { entry in
            HistoryRow(
                to: StatusView(entry.to), from: entry.from.map(StatusView.init), at: Views.date(entry.at), by: Views.name(entry.actorName),
                role: Views.roleLabels[entry.actorRole]?.localized ?? entry.actorRole.rawValue, note: entry.note.map(Views.note))
        }
        notes = details.notes.reversed().map {
            NoteRow(
                kind: $0.kind.rawValue, body: $0.body, by: $0.authorName, at: Views.date($0.createdAt), complaint: $0.kind == .complaint)
        }
        moves = Dictionary(details.allowedMoves.map { ($0.rawValue, true) }, uniquingKeysWith: { first, _ in first })
        hasMoves = !details.allowedMoves.isEmpty
        quote = details.quote.map(QuoteView.init)
        castingWarning = details.quote?.casting.map { !$0.castable } ?? false
        model = details.model.map(ModelView.init)
        delivery = details.delivery.map(DeliveryView.init)
    }
}

/// Who ordered, on the sellers' page of an order.
struct CustomerView {
    var name: String
    var email: String
    var verified: Bool
}

/// Where an order goes, as its page shows it.
struct DeliveryView {
    var recipient: String
    var phone: String
    var street: String
    var postalCode: String
    var city: String
    var country: String
    var note: String?

    init(_ delivery: DeliveryDetails) {
        recipient = delivery.recipient
        phone = delivery.phone
        street = delivery.street
        postalCode = delivery.postalCode
        city = delivery.city
        country = delivery.country
        note = delivery.note
    }
}

/// The checkout's delivery fields: what was typed (after a mistake), or a saved address, and the
/// other saved addresses to choose from.
struct CheckoutForm {
    struct Saved {
        var index: Int
        var summary: String
        var chosen: Bool
    }
    var recipient = ""
    var phone = ""
    var country = "RU"
    var postalCode = ""
    var city = ""
    var street = ""
    var note = ""
    var saved: [Saved] = []
    var hasSaved: Bool { !saved.isEmpty }

    init(saved addresses: [DeliveryDetails], chosen: Int) {
        saved = addresses.enumerated().map { index, address in
            Saved(index: index, summary: "\(address.recipient), \(address.street), \(address.city)", chosen: index == chosen)
        }
        if addresses.indices.contains(chosen) {
            let address = addresses[chosen]
            (recipient, phone, country, postalCode, city, street) = (
                address.recipient, address.phone, address.country, address.postalCode, address.city, address.street
            )
        }
    }

    init(typed form: Form, saved addresses: [DeliveryDetails]) {
        self.init(saved: addresses, chosen: -1)
        recipient = form["recipient"] ?? ""
        phone = form["phone"] ?? ""
        country = form["country"] ?? "RU"
        postalCode = form["postalCode"] ?? ""
        city = form["city"] ?? ""
        street = form["street"] ?? ""
        note = form["note"] ?? ""
    }
}

/// The metals and finishes an order form offers.
struct Choices {
    struct MaterialChoice {
        var code: String
        var name: String
        var selected: Bool
        var perGram: String
    }

    struct FinishChoice {
        var code: String
        var name: String
        var price: String
    }

    var materials: [MaterialChoice]
    var finishes: [FinishChoice]

    init(_ priceList: PriceList, material selected: String? = nil) {
        let active = priceList.materials.filter(\.active)
        let chosen = selected ?? active.first?.code
        materials = active.map {
            MaterialChoice(
                code: $0.code, name: Views.name($0.name), selected: $0.code == chosen,
                perGram: Views.money(Money(minorUnits: $0.pricePerGramMinor, currency: priceList.currency)))
        }
        finishes = priceList.finishes.filter { $0.code != "engraving" }.map {
            FinishChoice(
                code: $0.code, name: Views.name($0.name), price: Views.money(Money(minorUnits: $0.priceMinor, currency: priceList.currency))
            )
        }
    }
}

/// A choice in a filter (a status, a role).
struct Option {
    var code: String
    var label: String
    var selected: Bool
}

struct ErrorPage: PageModel {
    var chrome: Chrome?
    var status: Int
    var reason: String
    var detail: String
}
