import AtelierDomain
import AtelierHTTP
import AtelierServices
import AtelierText
import Foundation
import Hummingbird

/// The sellers' pages: orders, an order, customers, partners and their webhooks, stalled orders.
struct CRMPages {
    let site: WebSite
    var crm: CRMService { site.useCases.crm }

    typealias Seller = SignedInContext<Audiences.Sellers>
    typealias Admin = SignedInContext<Audiences.Admins>

    struct OrdersPage: PageModel {
        var chrome: Chrome?
        var orders: [OrderRow]
        var q: String
        var statuses: [Option]
        var next: String?
    }

    struct CustomersPage: PageModel {
        struct Row {
            var name: String
            var email: String
            var since: String
        }
        var chrome: Chrome?
        var customers: [Row]
        var q: String
        var next: String?
    }

    struct PartnersPage: PageModel {
        struct Key {
            var id: String
            var prefix: String
            var created: String
            var active: Bool
            var partnerId: String
            var used: String?
            var revoked: String?
        }
        struct Partner {
            var id: String
            var name: String
            var email: String
            var limit: String
            var policy: String
            var rate: Int
            var keys: [Key]
        }
        struct Webhook {
            var partner: String
            var url: String
            var pending: Int
            var failed: Int
            var healthy: Bool
            var lastSuccess: String?
            var lastFailure: String?
            var lastError: String?
        }
        var chrome: Chrome?
        var isAdmin: Bool
        var partners: [Partner]
        var webhooks: [Webhook]
        var newKey: String?
    }

    struct StalledPage: PageModel {
        struct Group {
            var status: StatusView
            var count: Int
            var orders: [OrderRow]
        }
        var chrome: Chrome?
        var groups: [Group]
        var none: Bool
    }

    func addRoutes(to group: RouterGroup<AtelierRequestContext>) {
        group.signedIn(Audiences.Sellers.self)
            .get("/", use: orders)
            .get("orders/{id}", use: order)
            .post("orders/{id}/approve", use: approve)
            .post("orders/{id}/close", use: close)
            .post("orders/{id}/cancel", use: cancel)
            .post("orders/{id}/notes", use: addNote)
            .get("customers", use: customers)
            .get("partners", use: partners)
            .post("partners/{id}/policy", use: setPolicy)
            .get("stalled", use: stalled)
        group.signedIn(Audiences.Admins.self)
            .post("partners/{id}/keys", use: issueKey)
            .post("partners/{id}/keys/{key}/revoke", use: revokeKey)
    }

    /// Orders, newest first: search, a status filter, cursor pages.
    @Sendable func orders(_ request: Request, context: Seller) async throws -> Response {
        let query = Form(query: request)
        let status = try request.status("status")
        let search = query["q"]?.trimmingCharacters(in: .whitespaces)
        let page = try await crm.orderSummaries(
            OrderFilter(status: status, search: search?.isEmpty == false ? search : nil), page: try pageRequest(request, limit: 50))
        let model = OrdersPage(
            orders: page.items.map(OrderRow.init), q: search ?? "",
            statuses: OrderStatus.allCases.map { Option(code: $0.rawValue, label: Views.status($0), selected: $0 == status) },
            next: Views.next(page, path: "/crm", query: query.fields))
        return site.page("crm-orders", model, title: "Orders", request: request, context: context)
    }

    @Sendable func order(_ request: Request, context: Seller) async throws -> Response {
        let details = try await crm.order(id: try context.parameters.require("id"), viewer: context.principal)
        var page = OrderPage(details)
        page.seller = true
        page.customer = try await crm.customer(of: details.order).map {
            CustomerView(name: $0.name, email: $0.email, verified: $0.emailVerifiedAt != nil)
        }
        return site.page("crm-order", page, title: "Order \(details.order.id.prefix(8))", request: request, context: context)
    }

    /// Approves the order for manufacturing, with an optional note.
    @Sendable func approve(_ request: Request, context: Seller) async throws -> Response {
        let id = try context.parameters.require("id")
        _ = try await crm.approve(orderID: id, note: try await note(request, context: context), by: context.principal)
        return site.redirect("/crm/orders/\(id)", flash: "Approved for manufacturing; it is on the operators' dashboard now.")
    }

    /// Closes a shipped order, with an optional note.
    @Sendable func close(_ request: Request, context: Seller) async throws -> Response {
        let id = try context.parameters.require("id")
        _ = try await crm.close(orderID: id, note: try await note(request, context: context), by: context.principal)
        return site.redirect("/crm/orders/\(id)", flash: "The order is closed.")
    }

    private func note(_ request: Request, context: Seller) async throws -> String? {
        try await request.form(context: context)["note"].flatMap { $0.isEmpty ? nil : $0 }
    }

    @Sendable func cancel(_ request: Request, context: Seller) async throws -> Response {
        let id = try context.parameters.require("id")
        let reason = try await request.form(context: context).required("reason", label: "A reason for the cancellation")
        _ = try await crm.cancel(orderID: id, reason: reason, by: context.principal)
        return site.redirect("/crm/orders/\(id)", flash: "The order is cancelled.")
    }

    @Sendable func addNote(_ request: Request, context: Seller) async throws -> Response {
        let id = try context.parameters.require("id")
        let form = try await request.form(context: context)
        let kind = OrderNote.Kind(rawValue: form["kind"] ?? "note") ?? .note
        _ = try await crm.addNote(orderID: id, kind: kind, body: form["body"] ?? "", by: context.principal)
        return site.redirect("/crm/orders/\(id)#notes", flash: kind == .complaint ? "The complaint is recorded." : "The note is saved.")
    }

    @Sendable func customers(_ request: Request, context: Seller) async throws -> Response {
        let query = Form(query: request)
        let search = query["q"]?.trimmingCharacters(in: .whitespaces)
        let page = try await crm.customers(search: search?.isEmpty == false ? search : nil, page: try pageRequest(request, limit: 50))
        let model = CustomersPage(
            customers: page.items.map { .init(name: $0.name, email: $0.email, since: Views.date($0.createdAt)) }, q: search ?? "",
            next: Views.next(page, path: "/crm/customers", query: query.fields))
        return site.page("crm-customers", model, title: "Customers", request: request, context: context)
    }

    @Sendable func partners(_ request: Request, context: Seller) async throws -> Response {
        try await partnersPage(request: request, context: context)
    }

    /// Sets a partner's auto-approval limit (empty: never).
    @Sendable func setPolicy(_ request: Request, context: Seller) async throws -> Response {
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
            partnerID: id, autoApproveUpToMinor: .some(limit), requestsPerMinute: nil, burst: nil, by: context.principal)
        return site.redirect("/crm/partners", flash: "\(partner.name): \(partner.autoApproval.phrase).")
    }

    /// Issues a key and shows it this once, on the partners page.
    @Sendable func issueKey(_ request: Request, context: Admin) async throws -> Response {
        let issued = try await site.useCases.partners.issueKey(partnerID: try context.parameters.require("id"), by: context.principal)
        return try await partnersPage(request: request, context: context, newKey: issued.secret)
    }

    @Sendable func revokeKey(_ request: Request, context: Admin) async throws -> Response {
        try await site.useCases.partners.revokeKey(
            partnerID: try context.parameters.require("id"), keyID: try context.parameters.require("key"), by: context.principal)
        return site.redirect("/crm/partners", flash: "The key is revoked; its next request is refused.")
    }

    @Sendable func stalled(_ request: Request, context: Seller) async throws -> Response {
        let stalled = try await site.useCases.watchdog.stalledOrders(limitPerStatus: 100)
        let groups = Dictionary(grouping: stalled, by: \.order.status).sorted { $0.key < $1.key }.map { status, orders in
            StalledPage.Group(
                status: StatusView(status), count: orders.count,
                orders: orders.sorted { $0.overdueBy > $1.overdueBy }.map { stalled in
                    var row = OrderRow(stalled.order)
                    row.overdue = duration(stalled.overdueBy)
                    row.responsible = stalled.responsible.rawValue
                    return row
                })
        }
        return site.page(
            "crm-stalled", StalledPage(groups: groups, none: groups.isEmpty), title: "Stalled orders", request: request, context: context)
    }

    private func partnersPage<Who>(request: Request, context: SignedInContext<Who>, newKey: String? = nil) async throws -> Response {
        let staff = context.principal
        let partners = try await site.useCases.partners.partners(by: staff)
        let health = try await site.useCases.webhooks.health()
        let model = PartnersPage(
            isAdmin: staff.role == .admin,
            partners: partners.map { overview in
                PartnersPage.Partner(
                    id: overview.partner.id, name: overview.partner.name, email: overview.partner.email,
                    limit: overview.partner.autoApproval.limit.map { Views.number(Double($0.minorUnits) / 100) } ?? "",
                    policy: overview.partner.autoApproval.phrase.localized, rate: overview.partner.requestsPerMinute,
                    keys: overview.keys.map { key in
                        PartnersPage.Key(
                            id: key.id, prefix: key.prefix, created: Views.date(key.createdAt), active: key.revokedAt == nil,
                            partnerId: overview.partner.id, used: key.lastUsedAt.map(Views.date), revoked: key.revokedAt.map(Views.date))
                    })
            },
            webhooks: health.map { row in
                PartnersPage.Webhook(
                    partner: row.partnerName, url: row.endpoint.url, pending: row.pending, failed: row.failed,
                    healthy: row.failed == 0 && row.lastError == nil, lastSuccess: row.lastSuccessAt.map(Views.date),
                    lastFailure: row.lastFailureAt.map(Views.date), lastError: row.lastError)
            },
            newKey: newKey)
        return site.page("crm-partners", model, title: "Partners", request: request, context: context)
    }
}

/// `3 d 4 h`, `5 h 12 min`, `40 min`.
func duration(_ seconds: TimeInterval) -> String {
    let minutes = Int(seconds / 60)
    if minutes >= 24 * 60 { return "\(minutes / 1440) d \(minutes % 1440 / 60) h" }
    if minutes >= 60 { return "\(minutes / 60) h \(minutes % 60) min" }
    return "\(max(minutes, 0)) min"
}
