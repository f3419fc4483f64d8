import AtelierText
import Foundation

/// A person who signs in to Atelier.
public struct UserAccount: Sendable, Hashable, Codable {
    public var id: String
    public var email: String
    public var name: String
    public var role: Role
    /// bcrypt hash; never the password.
    public var passwordHash: String
    public var createdAt: Date
    /// When an administrator disabled the account: it cannot sign in, and has no sessions.
    public var disabledAt: Date?
    /// When the owner proved the e-mail address is theirs (the link of the sign-up e-mail, or a
    /// password reset); nil until then. Accounts made by staff, and those older than the check, count as confirmed.
    public var emailVerifiedAt: Date?
    /// The language the person chose (or the one their browser asked for when they signed up):
    /// their e-mails are written in it.
    public var language: Language = .english
    /// Whether they get the e-mails that are not essential (an order's progress: approved, delivered).
    public var progressEmails = true
    /// The token of the link in those e-mails that stops them without signing in (made with the
    /// first such e-mail; it can do nothing but change this choice).
    public var emailToken: String?

    public init(id: String, email: String, name: String, role: Role, passwordHash: String, createdAt: Date) {
        self.id = id
        self.email = email
        self.name = name
        self.role = role
        self.passwordHash = passwordHash
        self.createdAt = createdAt
    }

    public var principal: Principal { Principal(userID: id, role: role, name: name) }
}

/// A ready-made piece of the shop's catalog, with the model it is cast from.
public struct CatalogItem: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var description: String
    public var modelHash: String
    public var modelFilename: String
    public var defaultMaterial: String
    /// For a ring: the inner diameter of its finger hole, mm (the Russian ring size).
    public var ringInnerDiameterMM: Double?

    public init(id: String, name: String, description: String, modelHash: String, modelFilename: String, defaultMaterial: String) {
        self.id = id
        self.name = name
        self.description = description
        self.modelHash = modelHash
        self.modelFilename = modelFilename
        self.defaultMaterial = defaultMaterial
    }
}

/// A note or a complaint a seller records on an order.
public struct OrderNote: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable { case note, complaint }

    public var orderID: String
    public var authorID: String
    public var authorName: String
    public var kind: Kind
    public var body: String
    public var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case orderID = "orderId", authorID = "authorId", authorName, kind, body, createdAt
    }

    public init(orderID: String, author: Principal, kind: Kind, body: String, createdAt: Date) throws {
        let body = body.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !body.isEmpty, body.count <= 4000 else {
            throw DomainError.invalid("A note needs 1 to 4000 characters of text.")
        }
        self.orderID = orderID
        self.authorID = author.userID
        self.authorName = author.name
        self.kind = kind
        self.body = body
        self.createdAt = createdAt
    }
}

/// What is stored about an accepted model file (its bytes are stored once, by hash).
public struct ModelInfo: Sendable, Hashable, Codable {
    /// SHA-256 of the file, hex.
    public var hash: String
    public var filename: String
    public var format: String
    public var sizeBytes: Int
    public var metrics: ModelMetrics
    public var vertices: Int
    public var boundingBoxMinMM: [Double]
    public var boundingBoxMaxMM: [Double]
    public var watertight: Bool
    public var boundaryEdges: Int
    public var nonManifoldEdges: Int

    public init(
        hash: String, filename: String, format: String, sizeBytes: Int, metrics: ModelMetrics, vertices: Int,
        boundingBoxMinMM: [Double], boundingBoxMaxMM: [Double], watertight: Bool, boundaryEdges: Int, nonManifoldEdges: Int
    ) {
        self.hash = hash
        self.filename = filename
        self.format = format
        self.sizeBytes = sizeBytes
        self.metrics = metrics
        self.vertices = vertices
        self.boundingBoxMinMM = boundingBoxMinMM
        self.boundingBoxMaxMM = boundingBoxMaxMM
        self.watertight = watertight
        self.boundaryEdges = boundaryEdges
        self.nonManifoldEdges = nonManifoldEdges
    }

    public var boundingBoxSizeMM: [Double] { zip(boundingBoxMaxMM, boundingBoxMinMM).map { $0 - $1 } }
}

/// One order an operator took, and its labour amount (the operator's pay).
public struct EarningRow: Sendable, Hashable {
    public var orderID: String
    public var status: OrderStatus
    public var labour: Money?
    public var takenAt: Date

    public init(orderID: String, status: OrderStatus, labour: Money?, takenAt: Date) {
        self.orderID = orderID
        self.status = status
        self.labour = labour
        self.takenAt = takenAt
    }
}
