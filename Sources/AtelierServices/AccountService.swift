import AtelierDomain
import AtelierStorage
import Foundation
import HummingbirdBcrypt
import Synchronization

/// Sign-up, sign-in with bcrypt-hashed passwords, and sessions kept as hashed bearer tokens.
public struct AccountService: Sendable {
    let context: UseCaseContext

    public init(context: UseCaseContext) { self.context = context }

    /// A session: the token is shown once to the client and stored only as its SHA-256.
    public struct Session: Sendable {
        public var token: String
        public var user: UserAccount
        public var expiresAt: Date
    }

    /// Creates a customer account (the shop's sign-up).
    public func signUp(email: String, name: String, password: String) async throws -> UserAccount {
        try await createUser(email: email, name: name, password: password, role: .customer)
    }

    /// Creates an account with any role (admins, demo data).
    public func createUser(email: String, name: String, password: String, role: Role) async throws -> UserAccount {
        let user = try await newAccount(email: email, name: name, password: password, role: role)
        do {
            try await context.store.write { tx in try await tx.insert(user: user) }
        } catch StorageError.conflict {
            throw DomainError.invalid("An account with the e-mail \(user.email) already exists.")
        }
        return user
    }

    /// Checks the values and hashes the password; stores nothing.
    public func newAccount(email: String, name: String, password: String, role: Role) async throws -> UserAccount {
        let email = try Self.validatedEmail(email)
        let name = name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= 100 else { throw DomainError.invalid("A name of 1 to 100 characters is required.") }
        guard password.count >= 8, password.count <= 72 else {
            throw DomainError.invalid("A password needs 8 to 72 characters.")
        }
        guard role != .system, role != .carrier else { throw DomainError.invalid("Accounts cannot have the role \(role.rawValue).") }
        let cost = UInt8(context.configuration.bcryptCost)
        let hash = try await context.compute.run { Bcrypt.hash(password, cost: cost) }
        return UserAccount(id: context.newID(), email: email, name: name, role: role, passwordHash: hash, createdAt: context.time.now())
    }

    /// The address trimmed and lower-cased, or an error that says it is not one.
    static func validatedEmail(_ text: String) throws -> String {
        let email = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard email.count <= 254, let at = email.firstIndex(of: "@"), at != email.startIndex,
            email[email.index(after: at)...].contains(".")
        else { throw DomainError.invalid("'\(email)' is not an e-mail address.") }
        return email
    }

    /// Checks the password and opens a session.
    public func signIn(email: String, password: String) async throws -> Session {
        let user = try await context.store.reader.user(email: email.trimmingCharacters(in: .whitespaces).lowercased())
        // An unknown e-mail costs the same bcrypt as a known one, so the time does not tell.
        let hash = user?.passwordHash ?? Self.standIn(cost: context.configuration.bcryptCost)
        let matches = try await context.compute.run { Bcrypt.verify(password, hash: hash) }
        guard let user, user.role != .partner, matches else {
            throw AuthenticationError.wrongCredentials
        }
        let token = randomToken()
        let now = context.time.now()
        let expires = now.addingTimeInterval(context.configuration.sessionHours * 3600)
        try await context.store.write { tx in
            try await tx.insertSession(tokenHash: sha256Hex(Data(token.utf8)), userID: user.id, createdAt: now, expiresAt: expires)
        }
        return Session(token: token, user: user, expiresAt: expires)
    }

    /// The signed-in user of a bearer token, or nil when the token is unknown or expired.
    public func authenticate(token: String) async throws -> Principal? {
        guard !token.isEmpty, token.count < 200 else { return nil }
        return try await context.store.reader.user(sessionTokenHash: sha256Hex(Data(token.utf8)), at: context.time.now())?.principal
    }

    public func signOut(token: String) async throws {
        try await context.store.write { tx in try await tx.deleteSession(tokenHash: sha256Hex(Data(token.utf8))) }
    }
}

extension AccountService {
    private static let standIns = Mutex<[Int: String]>([:])

    /// A hash of a random password at `cost`, made once: what an unknown e-mail is checked against.
    static func standIn(cost: Int) -> String {
        if let hash = standIns.withLock({ $0[cost] }) { return hash }
        let hash = Bcrypt.hash(randomToken(), cost: UInt8(cost))
        standIns.withLock { $0[cost] = hash }
        return hash
    }
}

/// Why a request was not let in.
public enum AuthenticationError: Error, Sendable, CustomStringConvertible {
    case wrongCredentials
    case notSignedIn
    case forbidden(role: Role, needed: [Role])

    public var description: String {
        switch self {
        case .wrongCredentials: "The e-mail or the password is wrong."
        case .notSignedIn: "Sign in first: send 'Authorization: Bearer <token>' from POST /api/auth/sign-in."
        case let .forbidden(role, needed):
            "A \(role.rawValue) cannot do this; it needs the role \(needed.map(\.rawValue).joined(separator: " or "))."
        }
    }
}
