using System.ComponentModel;
using System.Globalization;
using Segmenta.Documents;
using Segmenta.Segments;
using Spectre.Console.Cli;

namespace Segmenta.Cli.Commands;

internal sealed class SegmentExportSettings : SegmentEvaluationSettings
{
    [CommandArgument(0, "<SEGMENT>")]
    [Description("The segment's name.")]
    public string Segment { get; init; } = "";

    [CommandOption("-f|--format <FORMAT>")]
    [Description("csv (default), json or parquet.")]
    public string Format { get; init; } = "csv";

    [CommandOption("-o|--out <FILE>")]
    [Description("The file to write (replaced if it exists).")]
    public string? Out { get; init; }

    [CommandOption("--traits <LIST>")]
    [Description("Comma-separated traits to include after customer_id (default: email, first_name, last_name).")]
    public string? Traits { get; init; }

    [CommandOption("--channel <CHANNEL>")]
    [Description("The channel the audience is for (email, sms, push, phone, mail, ads, or X of a trait X_opt_in): only members who consented to it at the as-of instant are written.")]
    public string? Channel { get; init; }

    [CommandOption("--ignore-consent")]
    [Description("Write every member without a consent check (the export says it was not checked).")]
    public bool IgnoreConsent { get; init; }

    /// <summary>The consent check the options ask for: exactly one of a channel or the explicit override.</summary>
    public ConsentRequest Consent() => ConsentRequest.Of(Channel, IgnoreConsent, "--channel email", "--ignore-consent");
}

/// <summary><c>segmenta segment export</c>: the members of a segment with chosen traits, as CSV, JSON or Parquet.</summary>
internal sealed class SegmentExportCommand : GuardedCommand<SegmentExportSettings>
{

    protected override int Run(SegmentExportSettings settings, CancellationToken cancellation)
    {
        var format = SegmentSupport.Format(settings.Format);
        var consent = settings.Consent();
        if (settings.Out is null)
        {
            throw new UserInputException("--out FILE is required");
        }

        var workspace = FindWorkspace(settings);
        var context = SegmentSupport.Context(workspace, settings.AsOf);
        using var warehouse = OpenWarehouse(workspace);
        var library = SegmentSupport.Load(workspace, warehouse);
        var segment = SegmentSupport.Resolve(library, settings.Segment)[0];
        var traits = Model.Traits.Resolve(warehouse, settings.Traits, Model.Traits.ExportDefaults, library.Schema);
        var (rows, check) = AudienceExport.Write(warehouse, library.Compilation, segment, context, traits, format, settings.Out, consent);
        var path = Path.GetFullPath(settings.Out);
        if (settings.Json)
        {
            CliOutput.WriteJson(new ExportDocument(segment.Name, segment.Version, SegmentSupport.Iso(context.AsOf), settings.Format.ToLowerInvariant(), path, rows, ConsentCheckDocument.Of(check)));
        }
        else
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Wrote {rows:N0} members of {segment.Name} (as of {SegmentSupport.Iso(context.AsOf)}) to {path}"));
            Console.WriteLine(SegmentSupport.ConsentLine(check));
        }

        return ExitCodes.Ok;
    }
}
