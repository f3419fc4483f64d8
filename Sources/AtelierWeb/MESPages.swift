import AtelierDomain
import AtelierHTTP
import AtelierServices
import Foundation
import HTTPTypes
import Hummingbird
import ServiceLifecycle

/// The operators' pages: the dashboard (live), taking an order, my work with its next step, earnings.
struct MESPages {
    let site: WebSite
    var mes: MESService { site.useCases.mes }

    func addRoutes(to group: RouterGroup<AtelierRequestContext>) {
        /// Counts per status and the newest orders of one status (approved ones by default), with
        /// thumbnails. With `X-Fragment: live`, only the part that live updates replace.
        group.get("/") { request, context in
            let viewer = try context.require(.operator, .admin)
            let query = Form(query: request)
            let status = try request.status("status") ?? .manufacturingApproved
            let dashboard = try await mes.dashboard(status: status, page: try pageRequest(request, limit: 24))
            let values = live(dashboard, query: query, canTake: viewer.role == .operator && status == .manufacturingApproved)
            if request.headers[.xFragment] == "live" { return site.fragment("mes-live", values) }
            return site.page("mes-dashboard", values, title: "Dashboard", request: request, context: context)
        }
        /// Server-sent events: `counts` whenever an order arrives, is taken or moves on.
        group.get("events") { _, context -> Response in
            _ = try context.require(.operator, .admin)
            return site.feed.events()
        }
        group.post("orders/{id}/take") { request, context -> Response in
            let worker = try context.require(.operator)
            let id = try context.parameters.require("id")
            do {
                _ = try await mes.take(orderID: id, by: worker)
                return site.redirect("/mes/my", flash: "Order \(id.prefix(8)) is yours. Its next step is below.")
            } catch let DomainError.alreadyTaken(_, by) {
                let dashboard = try await mes.dashboard(status: .manufacturingApproved, page: PageRequest(limit: 24))
                return site.page(
                    "mes-dashboard", live(dashboard, query: Form(""), canTake: true), title: "Dashboard", request: request,
                    context: context,
                    status: .conflict, error: "\(by) was faster: order \(id.prefix(8)) is already taken.")
            }
        }
        for step in ["complete", "package", "ship"] {
            group.post("orders/{id}/\(step)") { request, context -> Response in
                let worker = try context.require(.operator)
                let id = try context.parameters.require("id")
                let order: Order
                switch step {
                case "complete": order = try await mes.complete(orderID: id, by: worker)
                case "package": order = try await mes.package(orderID: id, by: worker)
                default:
                    let tracking = try await request.form(context: context).required("tracking", label: "A tracking number")
                    order = try await mes.ship(orderID: id, trackingNumber: tracking, by: worker)
                }
                return site.redirect("/mes/my", flash: "Order \(id.prefix(8)): \(Views.statusLabels[order.status]!).")
            }
        }
        group.get("my") { request, context in
            let worker = try context.require(.operator)
            let page = try await mes.myOrders(worker, page: try pageRequest(request, limit: 50))
            let earnings = try await mes.earnings(worker)
            let open = page.items.filter { [.manufacturingStarted, .manufacturingCompleted, .packaging].contains($0.status) }
            let done = page.items.filter { ![.manufacturingStarted, .manufacturingCompleted, .packaging].contains($0.status) }
            var values: [String: Any] = [
                "open": open.map { order -> [String: Any] in
                    var row = Views.order(order)
                    switch order.status {
                    case .manufacturingStarted: row["complete"] = true
                    case .manufacturingCompleted: row["package"] = true
                    default: row["ship"] = true
                    }
                    return row
                },
                "done": done.map(Views.order), "earned": earnings.earned.description, "inWork": earnings.inWork.description,
                "earnings": earnings.rows.map {
                    [
                        "id": $0.orderID, "short": String($0.orderID.prefix(8)), "status": Views.status($0.status),
                        "labour": $0.labour?.description ?? "not priced", "taken": Views.date($0.takenAt),
                    ] as [String: Any]
                },
            ]
            values.merge(Views.page(page, path: "/mes/my", query: []), uniquingKeysWith: { $1 })
            return site.page("mes-my", values, title: "My work", request: request, context: context)
        }
        group.get("orders/{id}") { request, context in
            let worker = try context.require(.operator, .admin)
            let details = try await mes.order(id: try context.parameters.require("id"), viewer: worker)
            var values = Views.details(details)
            values["canTake"] = worker.role == .operator && details.order.status == .manufacturingApproved
            values["mine"] = details.order.assigneeID == worker.userID
            return site.page("mes-order", values, title: "Order \(details.order.id.prefix(8))", request: request, context: context)
        }
    }

    private func live(_ dashboard: MESService.Dashboard, query: Form, canTake: Bool) -> [String: Any] {
        var values: [String: Any] = [
            "counts": OrderStatus.allCases.map { status -> [String: Any] in
                [
                    "status": Views.status(status), "count": dashboard.counts[status] ?? 0, "selected": status == dashboard.status,
                ]
            },
            "status": Views.status(dashboard.status), "canTake": canTake,
            "orders": dashboard.orders.items.map(Views.order), "empty": dashboard.orders.items.isEmpty,
        ]
        values.merge(Views.page(dashboard.orders, path: "/mes", query: query.fields), uniquingKeysWith: { $1 })
        return values
    }
}

extension HTTPField.Name {
    /// The pages' scripts ask for a part of a page with it.
    static let xFragment = HTTPField.Name("X-Fragment")!
}
