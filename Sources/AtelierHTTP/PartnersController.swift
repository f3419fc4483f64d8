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
        group.signedIn(Audiences.Sellers.self)
            .get("partners", use: list)
            .get("partners/{id}", use: partner)
            .patch("partners/{id}", use: updatePolicy)
            .get("webhooks", use: webhookBoard)
        group.signedIn(Audiences.Admins.self)
            .post("partners", use: create)
            .post("partners/{id}/keys", use: issueKey)
            .delete("partners/{id}/keys/{keyId}", use: revokeKey)
    }

    @Sendable func list(_ request: Request, context: SignedInContext<Audiences.Sellers>) async throws -> PartnerList {
        PartnerList(items: try await partners.partners(by: context.principal).map(PartnerResponse.init))
    }

    @Sendable func partner(_ request: Request, context: SignedInContext<Audiences.Sellers>) async throws -> PartnerResponse {
        PartnerResponse(try await partners.partner(id: try context.parameters.require("id"), by: context.principal))
    }

    /// Sets the auto-approval limit or the rate.
    @Sendable func updatePolicy(_ request: Request, context: SignedInContext<Audiences.Sellers>) async throws -> PartnerResponse {
        let body = try await request.decode(as: PolicyBody.self, context: context)
        let id = try context.parameters.require("id")
        _ = try await partners.updatePolicy(
            partnerID: id, autoApproveUpToMinor: body.autoApproveUpToMinor, requestsPerMinute: body.requestsPerMinute,
            burst: body.burst, by: context.principal)
        return PartnerResponse(try await partners.partner(id: id, by: context.principal))
    }

    /// Every partner's webhook endpoints, failing ones first.
    @Sendable func webhookBoard(_ request: Request, context: SignedInContext<Audiences.Sellers>) async throws -> WebhookBoard {
        let endpoints = try await webhooks.health().map { health in
            EndpointHealthResponse(
                id: health.endpoint.id, partnerId: health.endpoint.partnerID, partner: health.partnerName, url: health.endpoint.url,
                active: health.endpoint.active, pending: health.pending, failed: health.failed, lastSuccessAt: health.lastSuccessAt,
                lastFailureAt: health.lastFailureAt, lastError: health.lastError,
                failing: health.failed > 0 || (health.lastFailureAt ?? .distantPast) > (health.lastSuccessAt ?? .distantPast))
        }
        return WebhookBoard(failing: endpoints.filter(\.failing).count, endpoints: endpoints)
    }

    @Sendable func create(_ request: Request, context: SignedInContext<Audiences.Admins>) async throws -> EditedResponse<PartnerResponse> {
        let body = try await request.decode(as: PartnerService.NewPartner.self, context: context)
        let (partner, _) = try await partners.createPartner(body, by: context.principal)
        return EditedResponse(status: .created, response: PartnerResponse(PartnerService.PartnerOverview(partner: partner, keys: [])))
    }

    @Sendable func issueKey(_ request: Request, context: SignedInContext<Audiences.Admins>) async throws -> EditedResponse<
        IssuedKeyResponse
    > {
        let issued = try await partners.issueKey(partnerID: try context.parameters.require("id"), by: context.principal)
        return EditedResponse(
            status: .created,
            response: IssuedKeyResponse(id: issued.key.id, prefix: issued.key.prefix, key: issued.secret, createdAt: issued.key.createdAt))
    }

    @Sendable func revokeKey(_ request: Request, context: SignedInContext<Audiences.Admins>) async throws -> Response {
        try await partners.revokeKey(
            partnerID: try context.parameters.require("id"), keyID: try context.parameters.require("keyId"), by: context.principal)
        return Response(status: .noContent)
    }
}
