using Segmenta.Ingestion;
using Segmenta.Workspaces;

namespace Segmenta.Collection;

/// <summary>
/// How Tracking API messages map onto the warehouse: ordinary mapping files (docs/ingestion.md) over the
/// flattened message. The built-in ones follow Segment's spec and its e-commerce, e-mail and
/// advertising event names; a workspace replaces either with <c>mappings/tracking_events.yaml</c> or
/// <c>mappings/tracking_customers.yaml</c>.
/// </summary>
public sealed record TrackingMappings(IngestMapping Events, IngestMapping Customers, TrackingVocabulary Vocabulary)
{
    /// <summary>The file that replaces the built-in event mapping.</summary>
    public const string EventsFile = "mappings/tracking_events.yaml";

    /// <summary>The file that replaces the built-in customer mapping.</summary>
    public const string CustomersFile = "mappings/tracking_customers.yaml";

    /// <summary>The built-in mapping of track, page and screen calls to events.</summary>
    public const string DefaultEvents = """
        # Segment Tracking API track, page and screen calls as events (docs/server.md).
        # The event name picks the event type; a name that is already a Segmenta type (purchase,
        # email_open, …) is kept; any other name is quarantined unless segmenta.yaml lists it in event_types.
        description: Tracking API events
        table: events
        fields:
          event_id: messageId
          customer_id: userId
          anonymous_id: anonymousId
          event_type:
            column: event
            map:
              "Order Completed": purchase
              "Order Refunded": refund
              "Page Viewed": page_view
              "Screen Viewed": page_view
              "Session Started": session
              "Product Viewed": product_view
              "Product Added": cart_add
              "Checkout Started": checkout
              "Email Delivered": email_sent
              "Email Opened": email_open
              "Email Link Clicked": email_click
              "Unsubscribed": email_unsubscribe
              "Ad Viewed": ad_impression
              "Ad Clicked": ad_click
              "Push Notification Tapped": push_open
              "SMS Link Clicked": sms_click
              "Signed Up": signup
              "Ticket Created": support_ticket
              "Consent Granted": consent_granted
              "Consent Withdrawn": consent_withdrawn
          occurred_at: { expr: "coalesce(timestamp, receivedAt)" }
          revenue: { expr: "coalesce(`properties.revenue`, `properties.total`, `properties.value`)" }
          quantity: properties.quantity
          order_id: { expr: "coalesce(`properties.order_id`, `properties.orderId`)" }
          product: { expr: "coalesce(`properties.product_id`, `properties.sku`, `properties.name`)" }
          category: properties.category
          channel: { expr: "coalesce(`properties.channel`, `context.campaign.medium`)" }
          campaign_id: { expr: "coalesce(`properties.campaign_id`, `context.campaign.name`)" }
          duration_seconds: properties.duration_seconds
        """;

    /// <summary>The built-in mapping of identify and alias calls to customer profiles (a trait left out keeps its stored value).</summary>
    public const string DefaultCustomers = """
        # Segment Tracking API identify calls as customer profiles (docs/server.md), with Segment's
        # reserved trait names; a trait a call leaves out keeps the value stored before. An identify
        # with both ids, or an alias (previousId to userId), links the two ids (docs/identity.md).
        description: Tracking API identify and alias calls
        table: customers
        fields:
          customer_id: userId
          anonymous_id: { expr: "coalesce(previousId, anonymousId)" }
          identified_at: { expr: "coalesce(timestamp, receivedAt)" }
          email: traits.email
          first_name: { expr: "coalesce(`traits.firstName`, `traits.first_name`)" }
          last_name: { expr: "coalesce(`traits.lastName`, `traits.last_name`)" }
          gender: traits.gender
          birth_date: { expr: "coalesce(`traits.birth_date`, substr(`traits.birthday`, 1, 10))" }
          age: traits.age
          country: { expr: "coalesce(`traits.address.country`, `traits.country`)" }
          region: { expr: "coalesce(`traits.address.state`, `traits.region`)" }
          city: { expr: "coalesce(`traits.address.city`, `traits.city`)" }
          postal_code: { expr: "coalesce(`traits.address.postalCode`, `traits.postal_code`)" }
          income: traits.income
          signup_at: { expr: "coalesce(`traits.createdAt`, `traits.signup_at`)" }
          email_opt_in: traits.email_opt_in
        """;

    /// <summary>The workspace's mappings: its files where present, else the built-in ones.</summary>
    public static TrackingMappings For(Workspace workspace)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        var events = Read(Path.Combine(workspace.Root, EventsFile), DefaultEvents, "(built-in tracking_events)");
        var customers = Read(Path.Combine(workspace.Root, CustomersFile), DefaultCustomers, "(built-in tracking_customers)");
        if (events.Table != Model.TableKind.Events || customers.Table != Model.TableKind.Customers)
        {
            throw new IngestSetupException($"{EventsFile} must map to events and {CustomersFile} to customers");
        }

        var names = new List<string>();
        foreach (var mapping in new[] { events, customers })
        {
            foreach (var field in mapping.Fields)
            {
                if (field.Column is { } column)
                {
                    names.Add(column);
                }

                if (field.Expression is { } expression)
                {
                    names.AddRange(MappingExpression.ColumnsOf(expression, field.Position ?? mapping.File ?? "mapping"));
                }
            }

            foreach (var expression in new[] { mapping.Filter, mapping.Where })
            {
                if (expression is not null)
                {
                    names.AddRange(MappingExpression.ColumnsOf(expression, mapping.File ?? "mapping"));
                }
            }
        }

        return new TrackingMappings(events, customers, new TrackingVocabulary(names));
    }

    private static IngestMapping Read(string path, string builtIn, string name) =>
        File.Exists(path) ? IngestMapping.Load(path) : IngestMapping.Parse(name, builtIn) with { File = null };
}
