import AtelierDomain
import AtelierServices
import Foundation
import Hummingbird

/// Partners in the CRM: admins create partners and their keys; sellers set a partner's
/// auto-approval limit and rate; everyone on staff sees the webhook health board.
struct PartnersController {
    let partners: PartnerService
    let webhooks: WebhookService

    struct KeyResponse: Encodable {
        var id: String
        var prefix: String
        var createdAt: Date
        var revokedAt: Date?
        var active: Bool
    }

    struct PartnerResponse: ResponseEncodable {
        var id: String
        var name: String
        var email: String
        /// Highest total approved without a seller; absent: every order waits for a seller.
        var autoApproveUpTo: Money?
        var requestsPerMinute: Int
        var burst: Int
        var createdAt: Date
        var keys: [KeyResponse]

        init(_ overview: PartnerService.PartnerOverview) {
            let partner = overview.partner
            id = partner.id
            name = partner.name
            email = partner.email
            autoApproveUpTo = partner.autoApproval.limit
            requestsPerMinute = partner.requestsPerMinute
            burst = partner.burst
            createdAt = partner.createdAt
            keys = overview.keys.map {
                KeyResponse(id: $0.id, prefix: $0.prefix, createdAt: $0.createdAt, revokedAt: $0.revokedAt, active: $0.revokedAt == nil)
            }
        }
    }

    struct PartnerList: ResponseEncodable { var items: [PartnerResponse] }

    /// The key, shown this once.
    struct IssuedKeyResponse: ResponseEncodable {
        var id: String
        var prefix: String
        var key: String
        var createdAt: Date
    }

    /// A policy change: a field left out stays as it is; `autoApproveUpToMinor: null` turns auto-approval off.
    struct PolicyBody: Decodable {
        var autoApproveUpToMinor: Int64??
        var requestsPerMinute: Int?
        var burst: Int?

        enum CodingKeys: String, CodingKey { case autoApproveUpToMinor, requestsPerMinute, burst }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            if container.contains(.autoApproveUpToMinor) {
                autoApproveUpToMinor = .some(try container.decodeIfPresent(Int64.self, forKey: .autoApproveUpToMinor))
            }
            requestsPerMinute = try container.decodeIfPresent(Int.self, forKey: .requestsPerMinute)
            burst = try container.decodeIfPresent(Int.self, forKey: .burst)
        }
    }

    struct EndpointHealthResponse: Encodable {
        var id: String
        var partnerId: String
        var partner: String
        var url: String
        var active: Bool
        var pending: Int
        var failed: Int
        var lastSuccessAt: Date?
        var lastFailureAt: Date?
        var lastError: String?
        /// Failed deliveries, or pending ones whose last attempt failed.
        var failing: Bool
    }

    struct WebhookBoard: ResponseEncodable {
        var failing: Int
        var endpoints: [EndpointHealthResponse]
    }

    func addRoutes(to group: RouterGroup<AtelierRequestContext>) {
        group.get("partners") { _, context -> PartnerList in
            let staff = try context.require(.seller, .admin)
            return PartnerList(items: try await partners.partners(by: staff).map(PartnerResponse.init))
        }
        group.post("partners") { request, context -> EditedResponse<PartnerResponse> in
            let admin = try context.require(.admin)
            let body = try await request.decode(as: PartnerService.NewPartner.self, context: context)
            let (partner, _) = try await partners.createPartner(body, by: admin)
            return EditedResponse(status: .created, response: PartnerResponse(PartnerService.PartnerOverview(partner: partner, keys: [])))
        }
        group.get("partners/{id}") { _, context -> PartnerResponse in
            let staff = try context.require(.seller, .admin)
            return PartnerResponse(try await partners.partner(id: try context.parameters.require("id"), by: staff))
        }
        /// Sets the auto-approval limit or the rate.
        group.patch("partners/{id}") { request, context -> PartnerResponse in
            let staff = try context.require(.seller, .admin)
            let body = try await request.decode(as: PolicyBody.self, context: context)
            let id = try context.parameters.require("id")
            _ = try await partners.updatePolicy(
                partnerID: id, autoApproveUpToMinor: body.autoApproveUpToMinor, requestsPerMinute: body.requestsPerMinute,
                burst: body.burst, by: staff)
            return PartnerResponse(try await partners.partner(id: id, by: staff))
        }
        group.post("partners/{id}/keys") { _, context -> EditedResponse<IssuedKeyResponse> in
            let admin = try context.require(.admin)
            let issued = try await partners.issueKey(partnerID: try context.parameters.require("id"), by: admin)
            return EditedResponse(
                status: .created,
                response: IssuedKeyResponse(
                    id: issued.key.id, prefix: issued.key.prefix, key: issued.secret, createdAt: issued.key.createdAt))
        }
        group.delete("partners/{id}/keys/{keyId}") { _, context -> Response in
            let admin = try context.require(.admin)
            try await partners.revokeKey(
                partnerID: try context.parameters.require("id"), keyID: try context.parameters.require("keyId"), by: admin)
            return Response(status: .noContent)
        }
        /// Every partner's webhook endpoints, failing ones first.
        group.get("webhooks") { _, context -> WebhookBoard in
            _ = try context.require(.seller, .admin)
            let endpoints = try await webhooks.health().map { health in
                EndpointHealthResponse(
                    id: health.endpoint.id, partnerId: health.endpoint.partnerID, partner: health.partnerName, url: health.endpoint.url,
                    active: health.endpoint.active, pending: health.pending, failed: health.failed, lastSuccessAt: health.lastSuccessAt,
                    lastFailureAt: health.lastFailureAt, lastError: health.lastError,
                    failing: health.failed > 0 || (health.lastFailureAt ?? .distantPast) > (health.lastSuccessAt ?? .distantPast))
            }
            return WebhookBoard(failing: endpoints.filter(\.failing).count, endpoints: endpoints)
        }
    }
}
