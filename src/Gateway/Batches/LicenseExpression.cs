namespace VendorGate.Gateway.Batches;

/// <summary>SPDX license expression syntax (SPDX 2.3 annex D): identifiers, <c>+</c>, <c>WITH</c>,
/// <c>AND</c>, <c>OR</c> and parentheses. Whether an identifier is allowed is licence policy, not syntax.</summary>
public static class LicenseExpression
{
    public static bool TryParse(string? text, out IReadOnlyList<string> licenses, out string error) =>
        TryParse(text, out licenses, out _, out error);

    /// <summary>Parses <paramref name="text"/>; <paramref name="tree"/> is the expression for evaluating it against a policy.</summary>
    public static bool TryParse(string? text, out IReadOnlyList<string> licenses, out LicenseNode tree, out string error)
    {
        licenses = [];
        tree = new LicenseNode.Any([]);
        error = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "a licence expression is required";
            return false;
        }
        var parser = new Parser(Tokenize(text));
        var found = new List<string>();
        if (parser.Expression(found, out error) is not { } parsed || !parser.AtEnd(out error))
        {
            return false;
        }
        tree = parsed;
        var undeclared = found.FirstOrDefault(id => id is "NONE" or "NOASSERTION");
        if (undeclared is not null)
        {
            error = $"'{undeclared}' declares no licence; every batch must name its licence";
            return false;
        }
        licenses = found;
        return true;
    }

    private static List<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        var current = new System.Text.StringBuilder();
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c) || c is '(' or ')')
            {
                if (current.Length > 0)
                {
                    tokens.Add(current.ToString());
                    current.Clear();
                }
                if (c is '(' or ')')
                {
                    tokens.Add(c.ToString());
                }
            }
            else
            {
                current.Append(c);
            }
        }
        if (current.Length > 0)
        {
            tokens.Add(current.ToString());
        }
        return tokens;
    }

    private sealed class Parser(List<string> tokens)
    {
        private int _at;

        private string? Peek => _at < tokens.Count ? tokens[_at] : null;

        public bool AtEnd(out string error)
        {
            error = Peek is null ? "" : $"unexpected '{Peek}'";
            return Peek is null;
        }

        // expression := and-expression ("OR" and-expression)*
        public LicenseNode? Expression(List<string> found, out string error) =>
            Sequence("OR", found, AndExpression, parts => new LicenseNode.Any(parts), out error);

        // and-expression := term ("AND" term)*
        private LicenseNode? AndExpression(List<string> found, out string error) =>
            Sequence("AND", found, Term, parts => new LicenseNode.All(parts), out error);

        private delegate LicenseNode? Part(List<string> found, out string error);

        private LicenseNode? Sequence(string separator, List<string> found, Part part, Func<List<LicenseNode>, LicenseNode> combine, out string error)
        {
            var parts = new List<LicenseNode>();
            do
            {
                if (part(found, out error) is not { } next)
                {
                    return null;
                }
                parts.Add(next);
            }
            while (Peek == separator && _at++ >= 0);
            return parts.Count == 1 ? parts[0] : combine(parts);
        }

        // term := "(" expression ")" | license-id ["+"] ["WITH" exception-id] | license-ref
        private LicenseNode? Term(List<string> found, out string error)
        {
            var token = Peek;
            if (token is null)
            {
                error = "the expression ends where a licence identifier was expected";
                return null;
            }
            _at++;
            if (token == "(")
            {
                if (Expression(found, out error) is not { } inner)
                {
                    return null;
                }
                if (Peek != ")")
                {
                    error = "a '(' is not closed";
                    return null;
                }
                _at++;
                return inner;
            }
            if (!IsLicense(token))
            {
                error = $"'{token}' is not a licence identifier";
                return null;
            }
            found.Add(token.TrimEnd('+'));
            if (Peek == "WITH")
            {
                _at++;
                if (Peek is not { } exception || !IsIdString(exception))
                {
                    error = "WITH must be followed by a licence exception identifier";
                    return null;
                }
                _at++;
            }
            error = "";
            return new LicenseNode.License(token.TrimEnd('+'));
        }

        private static bool IsLicense(string token)
        {
            if (token.StartsWith("DocumentRef-", StringComparison.Ordinal))
            {
                var colon = token.IndexOf(':');
                return colon > 12 && IsIdString(token[12..colon]) && IsLicenseRef(token[(colon + 1)..]);
            }
            if (token.StartsWith("LicenseRef-", StringComparison.Ordinal))
            {
                return IsLicenseRef(token);
            }
            var id = token.EndsWith('+') ? token[..^1] : token;
            return IsIdString(id) && id is not ("AND" or "OR" or "WITH");
        }

        private static bool IsLicenseRef(string token) =>
            token.StartsWith("LicenseRef-", StringComparison.Ordinal) && IsIdString(token[11..]);

        private static bool IsIdString(string s) =>
            s.Length > 0 && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.');
    }
}

/// <summary>A parsed licence expression: a licence, all of several (AND), or any of several (OR).</summary>
public abstract record LicenseNode
{
    public sealed record License(string Id) : LicenseNode;

    public sealed record All(IReadOnlyList<LicenseNode> Parts) : LicenseNode;

    public sealed record Any(IReadOnlyList<LicenseNode> Parts) : LicenseNode;

    /// <summary>The best the recipient can do: under OR they may pick the most acceptable branch, under AND every part binds.</summary>
    public LicenseVerdict Evaluate(Func<string, LicenseVerdict> policy) => this switch
    {
        License l => policy(l.Id),
        All a => a.Parts.Min(p => p.Evaluate(policy)),
        Any o => o.Parts.Max(p => p.Evaluate(policy)),
        _ => LicenseVerdict.Unknown,
    };
}

/// <summary>Ordered worst to best, so AND is the minimum and OR the maximum.</summary>
public enum LicenseVerdict
{
    Denied,
    Unknown,
    Allowed,
}
