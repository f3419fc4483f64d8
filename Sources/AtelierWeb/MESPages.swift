import AtelierDomain
import AtelierHTTP
import AtelierServices
import AtelierText
import Foundation
import HTTPTypes
import Hummingbird
import ServiceLifecycle

/// The operators' pages: the dashboard (live), taking an order, my work with its next step, earnings.
struct MESPages {
    let site: WebSite
    var mes: MESService { site.useCases.mes }

    typealias Viewer = SignedInContext<Audiences.Workshop>
    typealias Worker = SignedInContext<Audiences.Operators>

    /// The dashboard's live part: counts per status and the orders of one.
    struct Board {
        struct Count {
            var status: StatusView
            var count: Int
            var selected: Bool
        }
        var counts: [Count]
        var status: StatusView
        var canTake: Bool
        var orders: [OrderRow]
        var empty: Bool
        var next: String?

        init(_ dashboard: MESService.Dashboard, query: Form, canTake: Bool) {
            counts = OrderStatus.allCases.map {
                Count(status: StatusView($0), count: dashboard.counts[$0] ?? 0, selected: $0 == dashboard.status)
            }
            status = StatusView(dashboard.status)
            self.canTake = canTake
            orders = dashboard.orders.items.map { order in
                var row = OrderRow(order)
                row.castingWarning = dashboard.notCastable.contains(order.id)
                return row
            }
            empty = dashboard.orders.items.isEmpty
            next = Views.next(dashboard.orders, path: "/mes", query: query.fields)
        }
    }

    struct DashboardPage: PageModel {
        var chrome: Chrome?
        var board: Board
    }

    struct MyWorkPage: PageModel {
        struct Earning {
            var id: String
            var short: String
            var status: StatusView
            var labour: String
            var taken: String
        }
        var chrome: Chrome?
        var open: [OrderRow]
        var done: [OrderRow]
        var earned: String
        var inWork: String
        var earnings: [Earning]
        var next: String?
    }

    func addRoutes(to group: RouterGroup<AtelierRequestContext>) {
        group.signedIn(Audiences.Workshop.self)
            .get("/", use: dashboard)
            .get("events", use: events)
            .get("orders/{id}", use: order)
            .get("orders/{id}/label", use: label)
        group.signedIn(Audiences.Operators.self)
            .post("orders/{id}/take", use: take)
            .post("orders/{id}/complete", use: complete)
            .post("orders/{id}/package", use: package)
            .post("orders/{id}/ship", use: ship)
            .get("my", use: myWork)
    }

    /// Counts per status and the newest orders of one status (approved ones by default), with
    /// thumbnails. With `X-Fragment: live`, only the part that live updates replace.
    @Sendable func dashboard(_ request: Request, context: Viewer) async throws -> Response {
        let status = try request.status("status") ?? .manufacturingApproved
        let dashboard = try await mes.dashboard(status: status, page: try pageRequest(request, limit: 24))
        let board = Board(
            dashboard, query: Form(query: request), canTake: context.principal.role == .operator && status == .manufacturingApproved)
        if request.headers[.xFragment] == "live" { return site.fragment("mes-live", board) }
        return site.page("mes-dashboard", DashboardPage(board: board), title: "Dashboard", request: request, context: context)
    }

    /// Server-sent events: `counts` whenever an order arrives, is taken or moves on.
    @Sendable func events(_ request: Request, context: Viewer) async throws -> Response {
        site.feed.events()
    }

    @Sendable func take(_ request: Request, context: Worker) async throws -> Response {
        let id = try context.parameters.require("id")
        do {
            _ = try await mes.take(orderID: id, by: context.principal)
            return site.redirect("/mes/my", flash: "Order \(id.prefix(8)) is yours. Its next step is below.")
        } catch let DomainError.alreadyTaken(_, by) {
            // Taken by this operator already (another tab, a double click): it is theirs, say so.
            if try await mes.order(id: id, viewer: context.principal).order.assigneeID == context.principal.userID {
                return site.redirect("/mes/my", flash: "You took order \(id.prefix(8)) already. Its next step is below.")
            }
            let dashboard = try await mes.dashboard(status: .manufacturingApproved, page: PageRequest(limit: 24))
            return site.page(
                "mes-dashboard", DashboardPage(board: Board(dashboard, query: Form(""), canTake: true)), title: "Dashboard",
                request: request, context: context, status: .conflict, error: "\(by) was faster: order \(id.prefix(8)) is already taken.")
        }
    }

    @Sendable func complete(_ request: Request, context: Worker) async throws -> Response {
        moved(try await mes.complete(orderID: try context.parameters.require("id"), by: context.principal))
    }

    @Sendable func package(_ request: Request, context: Worker) async throws -> Response {
        moved(try await mes.package(orderID: try context.parameters.require("id"), by: context.principal))
    }

    @Sendable func ship(_ request: Request, context: Worker) async throws -> Response {
        let tracking = try await request.form(context: context).required("tracking", label: "A tracking number")
        return moved(try await mes.ship(orderID: try context.parameters.require("id"), trackingNumber: tracking, by: context.principal))
    }

    private func moved(_ order: Order) -> Response {
        site.redirect("/mes/my", flash: "Order \(order.id.prefix(8)): \(Views.statusLabels[order.status]!).")
    }

    @Sendable func myWork(_ request: Request, context: Worker) async throws -> Response {
        let page = try await mes.myOrderSummaries(context.principal, page: try pageRequest(request, limit: 50))
        let earnings = try await mes.earnings(context.principal)
        let inHand: Set<OrderStatus> = [.manufacturingStarted, .manufacturingCompleted, .packaging]
        var open: [OrderRow] = []
        for summary in page.items where inHand.contains(summary.order.status) {
            let order = summary.order
            var row = OrderRow(summary)
            switch order.status {
            case .manufacturingStarted: row.complete = true
            case .manufacturingCompleted: row.package = true
            default:
                row.ship = true
                // The parcel's address, at the step that needs it (a few orders at a time).
                row.shipTo = try await mes.order(id: order.id, viewer: context.principal).delivery.map(DeliveryView.init)
            }
            open.append(row)
        }
        let model = MyWorkPage(
            open: open,
            done: page.items.filter { !inHand.contains($0.order.status) }.map(OrderRow.init), earned: Views.money(earnings.earned),
            inWork: Views.money(earnings.inWork),
            earnings: earnings.rows.map {
                MyWorkPage.Earning(
                    id: $0.orderID, short: String($0.orderID.prefix(8)), status: StatusView($0.status),
                    labour: $0.labour.map(Views.money) ?? Phrase("not priced").localized, taken: Views.date($0.takenAt))
            },
            next: Views.next(page, path: "/mes/my", query: []))
        return site.page("mes-my", model, title: "My work", request: request, context: context)
    }

    @Sendable func order(_ request: Request, context: Viewer) async throws -> Response {
        let worker = context.principal
        let details = try await mes.order(id: try context.parameters.require("id"), viewer: worker)
        var page = OrderPage(details)
        page.canTake = worker.role == .operator && details.order.status == .manufacturingApproved
        page.mine = details.order.assigneeID == worker.userID
        return site.page("mes-order", page, title: "Order \(details.order.id.prefix(8))", request: request, context: context)
    }
}

/// The parcel's label: what the carrier gets with the piece (the address as the customer gave it,
/// the phone the courier calls, the order and, once shipped, the tracking number), to print.
struct LabelPage: PageModel {
    var chrome: Chrome?
    var id: String
    var short: String
    var tracking: String?
    var delivery: DeliveryView
}

extension MESPages {
    @Sendable func label(_ request: Request, context: Viewer) async throws -> Response {
        let details = try await mes.order(id: try context.parameters.require("id"), viewer: context.principal)
        guard let delivery = details.delivery else {
            throw DomainError.notFound("Order \(details.order.id.prefix(8)) has no delivery address: ask the seller.")
        }
        let page = LabelPage(
            id: details.order.id, short: String(details.order.id.prefix(8)), tracking: details.order.trackingNumber,
            delivery: DeliveryView(delivery))
        return site.page("label", page, title: "Parcel label", request: request, context: context)
    }
}

extension HTTPField.Name {
    /// The pages' scripts ask for a part of a page with it.
    static let xFragment = HTTPField.Name("X-Fragment")!
}
