import AtelierDomain
import AtelierHTTP
import AtelierServices
import Foundation
import Hummingbird

/// The sellers' pages: orders, an order, customers, partners and their webhooks, stalled orders.
struct CRMPages {
    let site: WebSite
    var crm: CRMService { site.useCases.crm }

    func addRoutes(to group: RouterGroup<AtelierRequestContext>) {
        /// Orders, newest first: search, a status filter, cursor pages.
        group.get("/") { request, context in
            _ = try context.require(.seller, .admin)
            let query = Form(query: request)
            let status = try request.status("status")
            let search = query["q"]?.trimmingCharacters(in: .whitespaces)
            let page = try await crm.orders(
                OrderFilter(status: status, search: search?.isEmpty == false ? search : nil), page: try pageRequest(request, limit: 50))
            var values: [String: Any] = [
                "orders": page.items.map(Views.order), "q": search ?? "",
                "statuses": OrderStatus.allCases.map { ["code": $0.rawValue, "label": Views.statusLabels[$0]!, "selected": $0 == status] },
            ]
            values.merge(Views.page(page, path: "/crm", query: query.fields), uniquingKeysWith: { $1 })
            return site.page("crm-orders", values, title: "Orders", request: request, context: context)
        }
        group.get("orders/{id}") { request, context in
            let seller = try context.require(.seller, .admin)
            let details = try await crm.order(id: try context.parameters.require("id"), viewer: seller)
            var values = Views.details(details)
            values["seller"] = true
            return site.page("crm-order", values, title: "Order \(details.order.id.prefix(8))", request: request, context: context)
        }
        /// Approve and close take an optional note.
        for (step, flash) in [
            ("approve", "Approved for manufacturing; it is on the operators' dashboard now."), ("close", "The order is closed."),
        ] {
            group.post("orders/{id}/\(step)") { request, context -> Response in
                let seller = try context.require(.seller, .admin)
                let id = try context.parameters.require("id")
                let note = try await request.form(context: context)["note"].flatMap { $0.isEmpty ? nil : $0 }
                if step == "approve" {
                    _ = try await crm.approve(orderID: id, note: note, by: seller)
                } else {
                    _ = try await crm.close(orderID: id, note: note, by: seller)
                }
                return site.redirect("/crm/orders/\(id)", flash: flash)
            }
        }
        group.post("orders/{id}/cancel") { request, context -> Response in
            let seller = try context.require(.seller, .admin)
            let id = try context.parameters.require("id")
            let reason = try await request.form(context: context).required("reason", label: "A reason for the cancellation")
            _ = try await crm.cancel(orderID: id, reason: reason, by: seller)
            return site.redirect("/crm/orders/\(id)", flash: "The order is cancelled.")
        }
        group.post("orders/{id}/notes") { request, context -> Response in
            let seller = try context.require(.seller, .admin)
            let id = try context.parameters.require("id")
            let form = try await request.form(context: context)
            let kind = OrderNote.Kind(rawValue: form["kind"] ?? "note") ?? .note
            _ = try await crm.addNote(orderID: id, kind: kind, body: form["body"] ?? "", by: seller)
            return site.redirect("/crm/orders/\(id)#notes", flash: kind == .complaint ? "The complaint is recorded." : "The note is saved.")
        }

        group.get("customers") { request, context in
            _ = try context.require(.seller, .admin)
            let query = Form(query: request)
            let search = query["q"]?.trimmingCharacters(in: .whitespaces)
            let page = try await crm.customers(search: search?.isEmpty == false ? search : nil, page: try pageRequest(request, limit: 50))
            var values: [String: Any] = [
                "customers": page.items.map { ["name": $0.name, "email": $0.email, "since": Views.date($0.createdAt)] }, "q": search ?? "",
            ]
            values.merge(Views.page(page, path: "/crm/customers", query: query.fields), uniquingKeysWith: { $1 })
            return site.page("crm-customers", values, title: "Customers", request: request, context: context)
        }

        group.get("partners") { request, context in
            try await partnersPage(request: request, context: context)
        }
        group.post("partners/{id}/policy") { request, context -> Response in
            let seller = try context.require(.seller, .admin)
            let id = try context.parameters.require("id")
            let text = try await request.form(context: context)["limit"]?.trimmingCharacters(in: .whitespaces) ?? ""
            var limit: Int64? = nil
            if !text.isEmpty {
                guard text.count <= 30, let amount = Double(text.replacingOccurrences(of: ",", with: ".")), amount.isFinite, amount >= 0
                else {
                    throw DomainError.invalid("An auto-approval limit is an amount such as 500 or 499.90; '\(text.prefix(30))' is not.")
                }
                limit = try Money.minorUnits(ofMajor: amount, what: "An auto-approval limit")
            }
            let partner = try await site.useCases.partners.updatePolicy(
                partnerID: id, autoApproveUpToMinor: .some(limit), requestsPerMinute: nil, burst: nil, by: seller)
            return site.redirect("/crm/partners", flash: "\(partner.name): \(partner.autoApproval.description).")
        }
        group.post("partners/{id}/keys") { request, context -> Response in
            let admin = try context.require(.admin)
            let issued = try await site.useCases.partners.issueKey(partnerID: try context.parameters.require("id"), by: admin)
            return try await partnersPage(request: request, context: context, newKey: issued.secret)
        }
        group.post("partners/{id}/keys/{key}/revoke") { _, context -> Response in
            let admin = try context.require(.admin)
            try await site.useCases.partners.revokeKey(
                partnerID: try context.parameters.require("id"), keyID: try context.parameters.require("key"), by: admin)
            return site.redirect("/crm/partners", flash: "The key is revoked; its next request is refused.")
        }

        group.get("stalled") { request, context in
            _ = try context.require(.seller, .admin)
            let stalled = try await site.useCases.watchdog.stalledOrders(limitPerStatus: 100)
            let groups = Dictionary(grouping: stalled, by: \.order.status).sorted { $0.key < $1.key }.map { status, orders in
                [
                    "status": Views.status(status), "count": orders.count,
                    "orders": orders.sorted { $0.overdueBy > $1.overdueBy }.map { stalled -> [String: Any] in
                        var row = Views.order(stalled.order)
                        row["overdue"] = duration(stalled.overdueBy)
                        row["responsible"] = stalled.responsible.rawValue
                        return row
                    },
                ] as [String: Any]
            }
            return site.page(
                "crm-stalled", ["groups": groups, "none": groups.isEmpty], title: "Stalled orders", request: request, context: context)
        }
    }

    private func partnersPage(request: Request, context: AtelierRequestContext, newKey: String? = nil) async throws -> Response {
        let staff = try context.require(.seller, .admin)
        let partners = try await site.useCases.partners.partners(by: staff)
        let health = try await site.useCases.webhooks.health()
        var values: [String: Any] = [
            "isAdmin": staff.role == .admin,
            "partners": partners.map { overview -> [String: Any] in
                [
                    "id": overview.partner.id, "name": overview.partner.name, "email": overview.partner.email,
                    "limit": overview.partner.autoApproval.limit.map { Views.number(Double($0.minorUnits) / 100) } ?? "",
                    "policy": overview.partner.autoApproval.description, "rate": overview.partner.requestsPerMinute,
                    "keys": overview.keys.map { key -> [String: Any] in
                        var row: [String: Any] = [
                            "id": key.id, "prefix": key.prefix, "created": Views.date(key.createdAt), "active": key.revokedAt == nil,
                            "partnerId": overview.partner.id,
                        ]
                        if let used = key.lastUsedAt { row["used"] = Views.date(used) }
                        if let revoked = key.revokedAt { row["revoked"] = Views.date(revoked) }
                        return row
                    },
                ]
            },
            "webhooks": health.map { row -> [String: Any] in
                var values: [String: Any] = [
                    "partner": row.partnerName, "url": row.endpoint.url, "pending": row.pending, "failed": row.failed,
                    "healthy": row.failed == 0 && row.lastError == nil,
                ]
                if let at = row.lastSuccessAt { values["lastSuccess"] = Views.date(at) }
                if let at = row.lastFailureAt { values["lastFailure"] = Views.date(at) }
                if let error = row.lastError { values["lastError"] = error }
                return values
            },
        ]
        if let newKey { values["newKey"] = newKey }
        return site.page("crm-partners", values, title: "Partners", request: request, context: context)
    }
}

/// `3 d 4 h`, `5 h 12 min`, `40 min`.
func duration(_ seconds: TimeInterval) -> String {
    let minutes = Int(seconds / 60)
    if minutes >= 24 * 60 { return "\(minutes / 1440) d \(minutes % 1440 / 60) h" }
    if minutes >= 60 { return "\(minutes / 60) h \(minutes % 60) min" }
    return "\(max(minutes, 0)) min"
}
