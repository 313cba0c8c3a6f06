using System.Text.Json.Serialization;

namespace PoetSharp.Properties;

/// <summary>
/// One property beside its reference, as written to JSON by <c>poet properties --json</c> and in a run folder's
/// properties.json: a value only when the status is "ok" (an unconverged value is kept apart as <see cref="LastValue"/>).
/// </summary>
/// <param name="Tolerance">Where the row is scored (properties of a front): the tolerance, a fraction of the reference when <paramref name="ToleranceKind"/> is "relative", else in the unit.</param>
/// <param name="ErrorPerTolerance">The error in tolerances as it enters the property score (capped; a property not computed counts as the cap).</param>
public sealed record PropertyReportRow(string? Group, string Name, string Structure, string Unit, string Status, double? Value, double? LastValue,
    string? Reason, double? Reference, string? ReferenceUnit, double? AbsoluteError, double? RelativeError, string? Note,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Tolerance = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ToleranceKind = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? ErrorPerTolerance = null)
{
    public static PropertyReportRow Of(PropertyComparison row) => new(
        row.Computed?.Group, row.Name, row.Structure, row.Unit,
        row.Computed is null ? "not computed" : StatusText(row.Computed.Status),
        row.Computed is { Status: PropertyStatus.Ok } ok ? ok.Value : null,
        row.Computed is { Status: PropertyStatus.NotConverged } nc ? nc.Value : null,
        row.Computed?.Reason, row.Reference?.Value, row.Reference?.Unit, row.AbsoluteError, row.RelativeError,
        row.Note.Length > 0 ? row.Note : null);

    /// <summary>"ok", "not converged" or "failed".</summary>
    public static string StatusText(PropertyStatus status) => status switch
    {
        PropertyStatus.Ok => "ok",
        PropertyStatus.NotConverged => "not converged",
        _ => "failed",
    };
}
