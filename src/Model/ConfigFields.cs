using System.Text.Json;

namespace GemmaBench.Model;

/// <summary>Typed access to one JSON object of a config file, with errors naming the file and field
/// and what to do. A field holding JSON null counts as absent. <paramref name="prefix"/> names an
/// object nested in the file ("rope_scaling.").</summary>
sealed class ConfigFields(JsonElement obj, string path, string prefix = "")
{
    public bool Has(string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null;

    public JsonElement Element(string name) => obj.GetProperty(name);

    public int Int(string name, int? fallback = null)
    {
        if (!Has(name))
            return fallback ?? throw Missing(name);
        var v = obj.GetProperty(name);
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i))
            return i;
        // A whole number too large for the field reads as out of range, not as "not an integer".
        bool whole = v.ValueKind == JsonValueKind.Number && v.TryGetDecimal(out decimal d)
            && d == decimal.Truncate(d);
        throw WrongType(name, whole ? $"a whole number up to {int.MaxValue}" : "an integer", v);
    }

    public double Double(string name, double? fallback = null)
    {
        if (!Has(name))
            return fallback ?? throw Missing(name);
        var v = obj.GetProperty(name);
        if (v.ValueKind == JsonValueKind.Number)
            return v.GetDouble();
        throw WrongType(name, "a number", v);
    }

    /// <summary>The field's text, or null when it is absent.</summary>
    public string? String(string name)
    {
        if (!Has(name))
            return null;
        var v = obj.GetProperty(name);
        return v.ValueKind == JsonValueKind.String ? v.GetString() : throw WrongType(name, "a string", v);
    }

    /// <summary>The field's list of strings, or null when it is absent.</summary>
    public IReadOnlyList<string>? Strings(string name)
    {
        if (!Has(name))
            return null;
        var v = obj.GetProperty(name);
        bool strings = v.ValueKind == JsonValueKind.Array
            && v.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String);
        if (strings)
            return [.. v.EnumerateArray().Select(e => e.GetString()!)];
        throw WrongType(name, "a list of strings", v);
    }

    /// <summary>What to do about a wrong config file: "fix it or download config.json again".</summary>
    public static string Remedy(string path) => $"fix it or download {Path.GetFileName(path)} again";

    ModelException WrongType(string name, string expected, JsonElement value) =>
        new($"{path}: field {prefix}{name} must be {expected}, got {value.GetRawText()}; {Remedy(path)}");

    ModelException Missing(string name) =>
        new($"{path}: required field {prefix}{name} is missing; {Remedy(path)}");
}
