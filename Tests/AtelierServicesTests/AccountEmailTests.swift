import AtelierApp
import AtelierDomain
import AtelierJobs
import AtelierStorage
import AtelierTestSupport
import Foundation
import Testing

@testable import AtelierServices

/// Address confirmation and password reset, as a person meets them: the link is read from the
/// e-mail in the mail folder and used the way the page uses it.
@Suite("Account e-mails")
struct AccountEmailTests {
    @Test("a new account gets a link that confirms its address; a second click is no error, a made-up link is")
    func verification() async throws {
        let harness = try await Harness.make()
        let accounts = harness.useCases.accounts
        let user = try await accounts.signUp(email: "Nadia@Example.test", name: "Nadia Petrova", password: "violet-fox-lantern")
        #expect(try await harness.store.reader.user(id: user.id)?.emailVerifiedAt == nil)
        try await harness.composition.mailWorker().runDueJobs()

        let token = try #require(try harness.mailedLinks(to: "nadia@example.test", path: "verify-email").first)
        let verified = try await accounts.verifyEmail(token: token)
        #expect(verified.emailVerifiedAt != nil)
        #expect(try await harness.store.reader.user(id: user.id)?.emailVerifiedAt != nil)
        #expect(try await accounts.verifyEmail(token: token).id == user.id)
        await #expect(throws: AccountLinkError.self) { try await accounts.verifyEmail(token: String(repeating: "x", count: 43)) }
        // The link is nowhere but in the e-mail: the database keeps its hash.
        #expect(try await harness.store.reader.accountToken(hash: token) == nil)
        #expect(try await harness.store.reader.accountToken(hash: sha256Hex(Data(token.utf8)))?.usedAt != nil)
    }

    @Test("a taken address signs up without a second account and without an e-mail; staff accounts count as confirmed")
    func takenAddress() async throws {
        let harness = try await Harness.make()
        let accounts = harness.useCases.accounts
        let first = try await accounts.signUp(email: "olga@example.test", name: "Olga", password: "violet-fox-lantern")
        _ = try await accounts.signUp(email: "olga@example.test", name: "Someone else", password: "another-long-secret")
        #expect(try await harness.store.reader.accountEmails(userID: first.id).map(\.kind) == [.verifyEmail])
        let seller = try await accounts.createUser(email: "vera@example.test", name: "Vera", password: "violet-fox-lantern", role: .seller)
        #expect(seller.emailVerifiedAt != nil)
        #expect(try await harness.store.reader.accountEmails(userID: seller.id).isEmpty)
    }

    @Test("a reset link sets a new password once, ends every session, and stops working after an hour")
    func passwordReset() async throws {
        let clock = HandClock()
        let harness = try await Harness.make(time: clock)
        let accounts = harness.useCases.accounts
        let session = try await accounts.signIn(email: "customer@atelier.test", password: Harness.password)
        try await accounts.requestPasswordReset(email: "  Customer@Atelier.test ")
        try await harness.composition.mailWorker().runDueJobs()
        let token = try #require(try harness.mailedLinks(to: "customer@atelier.test", path: "password-reset").first)

        await #expect(throws: DomainError.self) { try await accounts.resetPassword(token: token, newPassword: "password") }
        try await accounts.resetPassword(token: token, newPassword: "amber-kettle-harbour")
        #expect(try await accounts.authenticate(token: session.token) == nil)
        _ = try await accounts.signIn(email: "customer@atelier.test", password: "amber-kettle-harbour")
        await #expect(throws: AuthenticationError.self) {
            try await accounts.signIn(email: "customer@atelier.test", password: Harness.password)
        }
        await #expect(throws: AccountLinkError.self) { try await accounts.resetPassword(token: token, newPassword: "second-try-secret") }

        // A fresh link, used an hour and a second later, does not work.
        try await accounts.requestPasswordReset(email: "customer@atelier.test")
        try await harness.composition.mailWorker().runDueJobs()
        let late = try #require(try harness.mailedLinks(to: "customer@atelier.test", path: "password-reset").first { $0 != token })
        clock.advance(seconds: 3601)
        await #expect(throws: AccountLinkError.self) { try await accounts.resetPassword(token: late, newPassword: "too-late-secret") }
    }

    @Test("asking for a reset says nothing of the address, and sends at most three links an hour")
    func resetRequests() async throws {
        let harness = try await Harness.make()
        let accounts = harness.useCases.accounts
        try await accounts.requestPasswordReset(email: "nobody@example.test")
        for _ in 0..<5 { try await accounts.requestPasswordReset(email: "customer@atelier.test") }
        let customer = try #require(try await harness.store.reader.user(email: "customer@atelier.test"))
        #expect(try await harness.store.reader.accountEmails(userID: customer.id).filter { $0.kind == .accountRecovery }.count == 3)
        await #expect(throws: DomainError.self) { try await accounts.requestPasswordReset(email: "") }
    }
}
