/// All use cases of Atelier over one service context: what the HTTP surfaces and the CLI call.
public struct UseCases: Sendable {
    public let context: UseCaseContext
    public let accounts: AccountService
    public let shop: ShopService
    public let pricing: PricingService
    public let crm: CRMService
    public let mes: MESService
    public let carrier: CarrierService
    public let admin: AdminService
    public let watchdog: WatchdogService
    public let partners: PartnerService
    public let webhooks: WebhookService
    public let emails: CustomerEmailService
    public let health: HealthService
    public let flagAdmin: FlagAdminService
    public let modelMaintenance: ModelMaintenance

    /// `webhookTransport` sends webhook deliveries (only instances with the partner role run that
    /// worker); `mailTransport` the customers' e-mails (the settings' SMTP server, or the mail folder).
    public init(context: UseCaseContext, webhookTransport: any WebhookTransport, mailTransport: (any MailTransport)? = nil) {
        self.context = context
        accounts = AccountService(context: context)
        shop = ShopService(context: context)
        pricing = PricingService(context: context)
        crm = CRMService(context: context)
        mes = MESService(context: context)
        carrier = CarrierService(context: context)
        admin = AdminService(context: context)
        watchdog = WatchdogService(context: context)
        partners = PartnerService(context: context)
        health = HealthService(context: context)
        flagAdmin = FlagAdminService(context: context)
        modelMaintenance = ModelMaintenance(context: context)
        webhooks = WebhookService(context: context, transport: webhookTransport, policy: context.configuration.webhookPolicy)
        let configuration = context.configuration
        emails = CustomerEmailService(
            context: context,
            transport: mailTransport ?? configuration.smtp.map { SMTPClient(settings: $0) } ?? MailFolder(folder: configuration.mailFolder))
    }
}
