namespace VendorGate.Gateway.Batches;

/// <summary>SPDX license expression syntax (SPDX 2.3 annex D): identifiers, <c>+</c>, <c>WITH</c>,
/// <c>AND</c>, <c>OR</c> and parentheses. Whether an identifier is allowed is licence policy, not syntax.</summary>
public static class LicenseExpression
{
    public static bool TryParse(string? text, out IReadOnlyList<string> licenses, out string error)
    {
        licenses = [];
        error = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "a licence expression is required";
            return false;
        }
        var parser = new Parser(Tokenize(text));
        var found = new List<string>();
        if (!parser.Expression(found, out error) || !parser.AtEnd(out error))
        {
            return false;
        }
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
        public bool Expression(List<string> found, out string error)
        {
            if (!AndExpression(found, out error))
            {
                return false;
            }
            while (Peek == "OR")
            {
                _at++;
                if (!AndExpression(found, out error))
                {
                    return false;
                }
            }
            return true;
        }

        // and-expression := term ("AND" term)*
        private bool AndExpression(List<string> found, out string error)
        {
            if (!Term(found, out error))
            {
                return false;
            }
            while (Peek == "AND")
            {
                _at++;
                if (!Term(found, out error))
                {
                    return false;
                }
            }
            return true;
        }

        // term := "(" expression ")" | license-id ["+"] ["WITH" exception-id] | license-ref
        private bool Term(List<string> found, out string error)
        {
            var token = Peek;
            if (token is null)
            {
                error = "the expression ends where a licence identifier was expected";
                return false;
            }
            _at++;
            if (token == "(")
            {
                if (!Expression(found, out error))
                {
                    return false;
                }
                if (Peek != ")")
                {
                    error = "a '(' is not closed";
                    return false;
                }
                _at++;
                return true;
            }
            if (!IsLicense(token))
            {
                error = $"'{token}' is not a licence identifier";
                return false;
            }
            found.Add(token.TrimEnd('+'));
            if (Peek == "WITH")
            {
                _at++;
                if (Peek is not { } exception || !IsIdString(exception))
                {
                    error = "WITH must be followed by a licence exception identifier";
                    return false;
                }
                _at++;
            }
            error = "";
            return true;
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
