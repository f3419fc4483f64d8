import AtelierDomain
import AtelierStorage
import AtelierText
import Foundation
import HummingbirdBcrypt
import Logging
import Synchronization

/// Sign-up, sign-in with bcrypt-hashed passwords, and sessions kept as hashed bearer tokens.
public struct AccountService: Sendable {
    let context: UseCaseContext
    let throttle: SignInThrottle

    public init(context: UseCaseContext, throttle: SignInThrottle = SignInThrottle()) {
        self.context = context
        self.throttle = throttle
    }

    /// A session: the token is shown once to the client and stored only as its SHA-256.
    public struct Session: Sendable {
        public var token: String
        public var user: UserAccount
        public var expiresAt: Date
    }

    /// Creates a customer account (the shop's sign-up) and sends the e-mail whose link confirms
    /// the address.
    ///
    /// Says nothing of whether the e-mail already has an account: for a taken one it does the
    /// same work (the bcrypt hash) and answers the same, with an account that is not stored, so
    /// sign-up cannot be used to find out who is a customer. The person then signs in.
    public func signUp(email: String, name: String, password: String, language: Language = .english) async throws -> UserAccount {
        var account = try await newAccount(email: email, name: name, password: password, role: .customer)
        account.language = language
        let user = account
        let request = context.newID()
        do {
            try await context.store.write { tx in
                try await tx.insert(user: user)
                try await tx.recordAccountEmail(.verifyEmail, userID: user.id, request: request, at: user.createdAt)
            }
        } catch StorageError.conflict {
            context.logger.info("sign-up with an e-mail that has an account; answered as any other")
        }
        return user
    }

    /// Creates an account with any role (admins, demo data). Its address counts as confirmed: the
    /// person who made it vouches for it.
    public func createUser(email: String, name: String, password: String, role: Role) async throws -> UserAccount {
        var account = try await newAccount(email: email, name: name, password: password, role: role)
        account.emailVerifiedAt = account.createdAt
        let user = account
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
        guard !name.isEmpty, name.unicodeScalars.count <= 100 else {
            throw DomainError.invalid("A name of 1 to 100 characters is required.")
        }
        try Self.checkNewPassword(password, email: email)
        guard role != .system, role != .carrier else { throw DomainError.invalid("Accounts cannot have the role \(role.rawValue).") }
        let cost = UInt8(context.configuration.bcryptCost)
        let hash = try await context.passwords.run { Bcrypt.hash(password, cost: cost) }
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

    /// Refuses a password that is too short, too long for bcrypt, on the list of the most common
    /// passwords, or the e-mail itself (NIST SP 800-63B, 5.1.1.2).
    static func checkNewPassword(_ password: String, email: String) throws {
        guard password.count >= 8, password.utf8.count <= 72 else {
            throw DomainError.invalid("A password needs 8 to 72 characters.")
        }
        let lower = password.lowercased()
        if CommonPasswords.contains(lower) || lower == email || lower == email.split(separator: "@").first.map(String.init) {
            throw DomainError.invalid("This password is one of the most common ones and easy to guess; choose another.")
        }
    }

    /// Checks the password and opens a session. `client` is the address the request came from:
    /// failures are counted per account and per address, with a growing wait (429 until it ends).
    public func signIn(email: String, password: String, client: String? = nil) async throws -> Session {
        let email = email.trimmingCharacters(in: .whitespaces).lowercased()
        guard email.utf8.count <= 254, password.utf8.count <= 1024 else { throw AuthenticationError.wrongCredentials }
        let keys = ["account:" + email] + (client.map { ["client:" + $0] } ?? [])
        let now = context.time.now()
        if let wait = throttle.begin(keys, now: now) { throw SignInThrottled(retryAfterSeconds: wait) }
        let user = try await context.store.reader.user(email: email)
        // An unknown e-mail costs the same bcrypt as a known one, so the time does not tell.
        let hash = user?.passwordHash ?? Self.standIn(cost: context.configuration.bcryptCost)
        let matches = try await context.passwords.run { Bcrypt.verify(password, hash: hash) }
        guard let user, user.role != .partner, user.disabledAt == nil, matches else {
            throw AuthenticationError.wrongCredentials
        }
        throttle.succeeded(account: keys[0], others: Array(keys.dropFirst()))
        let token = randomToken()
        let expires = now.addingTimeInterval(context.configuration.sessionHours * 3600)
        try await context.store.write { tx in
            try await tx.insertSession(tokenHash: sha256Hex(Data(token.utf8)), userID: user.id, createdAt: now, expiresAt: expires)
        }
        return Session(token: token, user: user, expiresAt: expires)
    }

    /// The signed-in user of a bearer token, or nil when the token is unknown, past its end, idle
    /// too long, or its account disabled. A session used again after a minute is marked used.
    public func authenticate(token: String) async throws -> Principal? {
        guard !token.isEmpty, token.count < 200 else { return nil }
        let now = context.time.now()
        let tokenHash = sha256Hex(Data(token.utf8))
        var entry = context.sessions.get(tokenHash, at: now)
        if entry == nil {
            let idleSince = now.addingTimeInterval(-context.configuration.sessionIdleHours * 3600)
            guard let (user, lastSeen) = try await context.store.reader.session(tokenHash: tokenHash, at: now, idleSince: idleSince)
            else {
                return nil
            }
            entry = SessionCache.Entry(principal: user.principal, lastSeen: lastSeen, cachedAt: now)
        }
        guard var entry else { return nil }
        if now.timeIntervalSince(entry.lastSeen) > 60 {
            try await context.store.write { tx in try await tx.touchSession(tokenHash: tokenHash, at: now) }
            entry.lastSeen = now
        }
        context.sessions.put(tokenHash, entry)
        return entry.principal
    }

    public func signOut(token: String) async throws {
        let tokenHash = sha256Hex(Data(token.utf8))
        try await context.store.write { tx in try await tx.deleteSession(tokenHash: tokenHash) }
        context.sessions.forget(tokenHash: tokenHash)
    }

    /// Ends every session of the signed-in user, this one included; returns how many ended.
    @discardableResult
    public func signOutEverywhere(_ user: Principal) async throws -> Int {
        defer { context.sessions.forget(userID: user.userID) }
        return try await context.store.write { tx in try await tx.deleteSessions(userID: user.userID, except: nil) }
    }

    /// Changes the user's own password, given the current one; every other session of the user
    /// ends (the one of `token` goes on).
    public func changePassword(_ user: Principal, current: String, new: String, token: String?) async throws {
        guard let account = try await context.store.reader.user(id: user.userID) else { throw AuthenticationError.notSignedIn }
        let stored = account.passwordHash
        guard current.utf8.count <= 1024, try await context.passwords.run({ Bcrypt.verify(current, hash: stored) }) else {
            throw DomainError.invalid("The current password is wrong.")
        }
        try Self.checkNewPassword(new, email: account.email)
        let cost = UInt8(context.configuration.bcryptCost)
        let hash = try await context.passwords.run { Bcrypt.hash(new, cost: cost) }
        let keep = token.map { sha256Hex(Data($0.utf8)) }
        try await context.store.write { tx in
            try await tx.update(userID: user.userID, passwordHash: hash)
            _ = try await tx.deleteSessions(userID: user.userID, except: keep)
        }
        context.sessions.forget(userID: user.userID)
    }

    /// Keeps the language `user` reads Atelier in; their e-mails are written in it from now on.
    public func setLanguage(_ user: Principal, to language: Language) async throws {
        try await context.store.write { tx in try await tx.update(userID: user.userID, language: language) }
    }

    /// The account of an e-mail preferences link (the link in the e-mails that are not essential).
    public func emailPreferences(token: String) async throws -> UserAccount {
        guard (20...100).contains(token.utf8.count), let account = try await context.store.reader.user(emailToken: token) else {
            throw AccountLinkError.unusable
        }
        return account
    }

    /// Starts or stops the e-mails that are not essential for the account of a preferences link.
    @discardableResult
    public func setProgressEmails(token: String, on: Bool) async throws -> UserAccount {
        var account = try await emailPreferences(token: token)
        let id = account.id
        try await context.store.write { tx in try await tx.update(userID: id, progressEmails: on) }
        account.progressEmails = on
        return account
    }

    /// Starts or stops the e-mails that are not essential for the signed-in person.
    public func setProgressEmails(_ user: Principal, on: Bool) async throws {
        try await context.store.write { tx in try await tx.update(userID: user.userID, progressEmails: on) }
    }

    /// The signed-in person's own account.
    public func account(_ user: Principal) async throws -> UserAccount? {
        try await context.store.reader.user(id: user.userID)
    }

    /// How many account e-mails of one kind a person may ask for in an hour.
    static let accountEmailsPerHour = 3

    /// Sends the signed-in person a new link that confirms their address, unless it is confirmed
    /// or they asked three times this hour.
    public func resendVerification(_ user: Principal) async throws {
        guard let account = try await context.store.reader.user(id: user.userID) else { throw AuthenticationError.notSignedIn }
        guard account.emailVerifiedAt == nil else { throw DomainError.invalid("Your e-mail address is confirmed already.") }
        try await sendAccountEmail(.verifyEmail, to: account)
    }

    /// Confirms the address of the link's account; a link used before, of an account confirmed
    /// since, is not an error (a person who clicks twice).
    @discardableResult
    public func verifyEmail(token: String) async throws -> UserAccount {
        let now = context.time.now()
        guard let link = try await accountToken(token, purpose: .verifyEmail),
            let account = try await context.store.reader.user(id: link.userID), account.disabledAt == nil
        else { throw AccountLinkError.unusable }
        if account.emailVerifiedAt != nil { return account }
        guard link.isUsable(at: now) else { throw AccountLinkError.unusable }
        try await context.store.write { tx in
            try await tx.markEmailVerified(userID: account.id, at: now)
            try await tx.useTokens(userID: account.id, purpose: .verifyEmail, at: now)
        }
        var verified = account
        verified.emailVerifiedAt = now
        return verified
    }

    /// Sends a link that sets a new password to the account of `email`, if there is one a person
    /// signs in to, at most three times an hour. Answers the same in every case (nothing tells
    /// whether the address has an account).
    public func requestPasswordReset(email: String) async throws {
        let email = email.trimmingCharacters(in: .whitespaces).lowercased()
        guard email.utf8.count <= 254, !email.isEmpty else { throw DomainError.invalid("'\(email)' is not an e-mail address.") }
        guard let account = try await context.store.reader.user(email: email), account.disabledAt == nil,
            account.role != .partner, account.role != .system, account.role != .carrier
        else {
            context.logger.info("password reset for an address without an account; answered as any other")
            return
        }
        try await sendAccountEmail(.accountRecovery, to: account)
    }

    /// Sets a new password with a reset link: the link is used up (with every other reset link of
    /// the account), every session of the account ends, and the address counts as confirmed (the
    /// link reached it).
    /// Throws ``AccountLinkError/unusable`` unless `token` is a reset link that still works; uses
    /// nothing (the page that opens a link says at once when it does not work).
    public func checkResetLink(token: String) async throws {
        guard let link = try await accountToken(token, purpose: .accountRecovery), link.isUsable(at: context.time.now()) else {
            throw AccountLinkError.unusable
        }
    }

    public func resetPassword(token: String, newPassword: String) async throws {
        let now = context.time.now()
        guard let link = try await accountToken(token, purpose: .accountRecovery), link.isUsable(at: now),
            let account = try await context.store.reader.user(id: link.userID), account.disabledAt == nil
        else { throw AccountLinkError.unusable }
        try Self.checkNewPassword(newPassword, email: account.email)
        let cost = UInt8(context.configuration.bcryptCost)
        let hash = try await context.passwords.run { Bcrypt.hash(newPassword, cost: cost) }
        try await context.store.write { tx in
            // Checked again inside the transaction: two tabs using one link at once set one password.
            guard try await tx.accountToken(hash: link.tokenHash)?.isUsable(at: now) == true else { throw AccountLinkError.unusable }
            try await tx.update(userID: account.id, passwordHash: hash)
            try await tx.useTokens(userID: account.id, purpose: .accountRecovery, at: now)
            try await tx.markEmailVerified(userID: account.id, at: now)
            _ = try await tx.deleteSessions(userID: account.id, except: nil)
        }
        context.sessions.forget(userID: account.id)
    }

    /// The stored link of `token` for `purpose`, used or not; nil for anything else.
    private func accountToken(_ token: String, purpose: AccountTokenPurpose) async throws -> AccountToken? {
        guard (20...100).contains(token.utf8.count) else { return nil }
        let link = try await context.store.reader.accountToken(hash: sha256Hex(Data(token.utf8)))
        return link?.purpose == purpose ? link : nil
    }

    private func sendAccountEmail(_ kind: CustomerEmailKind, to account: UserAccount) async throws {
        let now = context.time.now()
        let sent = try await context.store.reader.emailCount(userID: account.id, kind: kind, since: now.addingTimeInterval(-3600))
        guard sent < Self.accountEmailsPerHour else {
            context.logger.info("account e-mail not sent: asked for too often", metadata: ["email.kind": "\(kind.rawValue)"])
            return
        }
        let request = context.newID()
        try await context.store.write { tx in try await tx.recordAccountEmail(kind, userID: account.id, request: request, at: now) }
    }

    /// Removes sessions past their end or idle too long (the watchdog calls it on every pass).
    @discardableResult
    public func purgeExpiredSessions() async throws -> Int {
        let now = context.time.now()
        let idleSince = now.addingTimeInterval(-context.configuration.sessionIdleHours * 3600)
        return try await context.store.write { tx in try await tx.deleteExpiredSessions(at: now, idleSince: idleSince) }
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

/// An account link that does not work: unknown, used, expired, or of a disabled account (one
/// message for all, so a link tells nothing but that it does not work).
public enum AccountLinkError: Error, Sendable, CustomStringConvertible {
    case unusable

    public var phrase: Phrase { "This link does not work any more: it was used already, or it has expired. Ask for a new one." }
    public var description: String { phrase.description }
}

/// Why a request was not let in.
public enum AuthenticationError: Error, Sendable, CustomStringConvertible {
    case wrongCredentials
    case notSignedIn
    case forbidden(role: Role, needed: [Role])

    public var description: String { phrase.description }

    public var phrase: Phrase {
        switch self {
        case .wrongCredentials: "The e-mail or the password is wrong."
        case .notSignedIn: "Sign in first: send 'Authorization: Bearer <token>' from POST /api/auth/sign-in."
        case let .forbidden(role, needed):
            "A \(role.rawValue) cannot do this; it needs the role \(needed.map(\.rawValue).joined(separator: " or "))."
        }
    }
}
