namespace Segmenta.Model;

/// <summary>The two canonical data tables that ingestion writes.</summary>
public enum TableKind
{
    /// <summary>One row per customer: id and traits.</summary>
    Customers,

    /// <summary>One row per behavioral event.</summary>
    Events,
}
