using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;
using PoetSharp.Atoms;

namespace PoetSharp.Data;

/// <summary>Which of the energies VASP writes for each ionic step is kept as the structure's energy.</summary>
public enum VasprunEnergy
{
    /// <summary>
    /// e_0_energy, the energy extrapolated to zero smearing (σ→0); what ASE reports, hence what extended XYZ
    /// files written by ASE from VASP runs hold.
    /// </summary>
    Sigma0,

    /// <summary>e_fr_energy, the free energy (TOTEN): the energy of which VASP's forces are the exact derivatives.</summary>
    Free,
}

/// <summary>
/// VASP vasprun.xml: every ionic step (each &lt;calculation&gt; block) as a structure with its cell, positions,
/// energy, forces and stress. The file is streamed, one step at a time, so large MD or relaxation runs are
/// not held in memory as XML.
/// </summary>
/// <remarks>
/// Rules, checked against ASE 3.22.1 (<c>ase.io.read(path, ':')</c>):
/// <list type="bullet">
/// <item>Only the XML document counts: anything after the closing &lt;/modeling&gt; (e.g. blocks appended by a
/// restarted run) is ignored with a note, as ASE does.</item>
/// <item>A file that breaks off (a killed run) yields the ionic steps completed before the break, with a note;
/// a step counts as complete once its closing energy block was written (as for ASE). A file that breaks off
/// before its header or its first step is complete is an error.</item>
/// <item>Forces are kept for all atoms as VASP computed them, also for atoms fixed by selective dynamics
/// (ASE's <c>get_forces()</c> shows zero for those through its FixAtoms constraint, but the DFT forces on
/// them are real and are what a potential should reproduce).</item>
/// <item>Stress: VASP writes kB with compression positive; stored in eV/Å³, tensile positive, symmetrised.</item>
/// </list>
/// </remarks>
public static class Vasprun
{
    // The default is e_0_energy rather than the force-consistent e_fr_energy: training sets are often mixed from
    // several files, and VASP data that went through ASE (extended XYZ written by ASE) carry e_0_energy, so the
    // same choice keeps one energy reference across them. The two differ by the smearing entropy term, a nearly
    // constant offset per atom (1 meV/atom in the repository's Cu file), and the σ→0 energy is the better estimate
    // of the zero-temperature energy a classical potential describes. VasprunEnergy.Free gives e_fr_energy.
    /// <summary>Reads every ionic step, keeping e_0_energy (σ→0) as the energy.</summary>
    public static Dataset Read(string path) => Read(path, VasprunEnergy.Sigma0);

    /// <summary>Reads every ionic step, keeping the chosen energy; the choice is recorded in the data set's notes.</summary>
    public static Dataset Read(string path, VasprunEnergy energy)
    {
        if (!File.Exists(path)) throw new DataFormatException(path, null, "no such file");
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            using var xml = XmlReader.Create(stream, Settings);
            return new Parser(path, xml, energy).Read();
        }
        catch (IOException e)
        {
            throw new DataFormatException(path, null, "cannot read the file: " + e.Message, e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new DataFormatException(path, null, "cannot read the file: " + e.Message, e);
        }
    }

    // Fragment conformance lets the reader look past </modeling> at blocks appended to the document
    // (instead of failing at once with "multiple root elements"); the root is still checked by hand.
    private static readonly XmlReaderSettings Settings = new()
    {
        ConformanceLevel = ConformanceLevel.Fragment,
        IgnoreWhitespace = true,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
    };

    /// <summary>What a &lt;calculation&gt; block has delivered so far.</summary>
    private sealed class Step(int index, int line)
    {
        public int Index { get; } = index;
        public int Line { get; } = line;
        public Cell? Cell;
        public Vec3[]? Positions;
        public Vec3[]? Forces;
        public Stress? Stress;
        public double? Energy;
        // e_0_energy − e_fr_energy of the last electronic step.
        public double? LastScfSigma0Shift;
        public bool HasEnergy => Energy.HasValue;
    }

    private sealed class Parser(string path, XmlReader xml, VasprunEnergy energyKind)
    {
        private readonly IXmlLineInfo _lineInfo = (IXmlLineInfo)xml;
        private readonly string _stem = Path.GetFileNameWithoutExtension(path);
        private readonly List<Structure> _structures = new();
        private readonly List<string> _notes = new();
        private string[]? _species;
        private int _calculations;
        private Step? _current;
        private int _sigma0Corrected;

        private int Line => _lineInfo.LineNumber;

        public Dataset Read()
        {
            try
            {
                ReadDocument();
            }
            catch (XmlException e)
            {
                AcceptBreak(e);
            }
            if (_structures.Count == 0)
                throw Error(null, "no ionic steps: the file has no <calculation> block with a structure and an energy");

            var data = new Dataset(_structures, path);
            data.Notes.Add(energyKind == VasprunEnergy.Sigma0
                ? $"{path}: energy = e_0_energy (sigma->0), as ASE reports it; e_fr_energy (free energy, force-consistent) is available with VasprunEnergy.Free"
                : $"{path}: energy = e_fr_energy (free energy, force-consistent); ASE reports e_0_energy (VasprunEnergy.Sigma0)");
            if (_sigma0Corrected > 0)
                data.Notes.Add($"{path}: in {_sigma0Corrected} step(s) the calculation's e_0_energy disagreed with its free energy and last electronic step (a VASP bug with van der Waals corrections); e_0_energy was taken as e_fr_energy + (e_0_energy - e_fr_energy) of the last electronic step, as ASE does");
            data.Notes.AddRange(_notes);
            return data;
        }

        private void ReadDocument()
        {
            if (xml.MoveToContent() != XmlNodeType.Element || xml.LocalName != "modeling")
                throw Error(Line, xml.NodeType == XmlNodeType.None
                    ? "empty file: no <modeling> element"
                    : $"not a vasprun.xml file: expected the root element <modeling>, found {Describe()}");

            ForEachChild(() =>
            {
                switch (xml.LocalName)
                {
                    case "atominfo":
                        ReadAtomInfo(Load());
                        break;
                    case "structure" when xml.GetAttribute("name") == "initialpos":
                        ReadInitialStructure(Load());
                        break;
                    case "calculation":
                        ReadCalculation();
                        break;
                    default:
                        SkipElement();
                        break;
                }
            });
            NoteTrailingContent();
        }

        /// <summary>
        /// Species of the atoms from &lt;atominfo&gt;: the first field of each row of the "atoms" array.
        /// </summary>
        private void ReadAtomInfo(XElement info)
        {
            var rows = info.Elements("array").FirstOrDefault(a => (string?)a.Attribute("name") == "atoms")
                ?.Element("set")?.Elements("rc").ToList()
                ?? throw Error(LineOf(info), "<atominfo> has no array of atoms");
            var species = new string[rows.Count];
            for (var i = 0; i < rows.Count; i++)
            {
                var symbol = rows[i].Element("c")?.Value.Trim() ?? "";
                if (!Elements.IsKnown(symbol))
                    throw Error(LineOf(rows[i]), $"atom {i + 1}: '{symbol}' is not an element symbol");
                species[i] = symbol;
            }
            if (species.Length == 0) throw Error(LineOf(info), "<atominfo> lists no atoms");
            if (info.Element("atoms") is { } count)
            {
                if (!int.TryParse(count.Value.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n))
                    throw Error(LineOf(count), $"<atoms>: '{count.Value.Trim()}' is not a whole number");
                if (n != species.Length)
                    throw Error(LineOf(count), $"<atoms> says {n} atoms but the array of atoms has {species.Length} rows");
            }
            _species = species;
        }

        /// <summary>The initial structure matters only for its selective-dynamics flags (each step has its own geometry).</summary>
        private void ReadInitialStructure(XElement structure)
        {
            var selective = structure.Elements("varray").FirstOrDefault(v => (string?)v.Attribute("name") == "selective");
            if (selective == null || _species == null) return;
            var rows = selective.Elements("v").ToList();
            if (rows.Count != _species.Length)
                throw Error(LineOf(selective), $"selective dynamics: {rows.Count} rows for {_species.Length} atoms");
            int fixedAtoms = 0, partlyFixed = 0;
            foreach (var row in rows)
            {
                var flags = row.Value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                if (flags.Length != 3 || flags.Any(f => f != "T" && f != "F"))
                    throw Error(LineOf(row), $"selective dynamics: expected three T/F flags, found '{row.Value.Trim()}'");
                var free = flags.Count(f => f == "T");
                if (free == 0) fixedAtoms++;
                else if (free < 3) partlyFixed++;
            }
            if (fixedAtoms + partlyFixed > 0)
                _notes.Add($"{path}: selective dynamics fixes {fixedAtoms} of {_species.Length} atoms" +
                           (partlyFixed > 0 ? $" and {partlyFixed} more in some directions" : "") +
                           "; their forces are kept as VASP computed them (ASE's get_forces() shows zero for fully fixed atoms)");
        }

        private void ReadCalculation()
        {
            if (_species == null)
                throw Error(Line, "<calculation> before <atominfo>: the species of the atoms are unknown");
            var step = _current = new Step(_calculations++, Line);
            var what = $"ionic step {step.Index}";
            ForEachChild(() =>
            {
                switch (xml.LocalName)
                {
                    case "scstep":
                        if (Load().Element("energy") is { } scf)
                            step.LastScfSigma0Shift = Item(scf, "e_0_energy", what) - Item(scf, "e_fr_energy", what);
                        break;
                    case "structure":
                        (step.Cell, step.Positions) = ReadStructure(Load(), what);
                        break;
                    case "varray" when xml.GetAttribute("name") == "forces":
                    {
                        var rows = ReadRows(Load(), _species.Length, $"{what}: forces");
                        step.Forces = rows.Select(r => new Vec3(r[0], r[1], r[2])).ToArray();
                        break;
                    }
                    case "varray" when xml.GetAttribute("name") == "stress":
                    {
                        var rows = ReadRows(Load(), 3, $"{what}: stress");
                        // kB, compression positive → eV/Å³, tensile positive.
                        var m = rows.SelectMany(r => r).Select(v => -v / Units.KbarPerEvPerA3).ToArray();
                        step.Stress = Stress.FromMatrix(m);
                        break;
                    }
                    case "energy":
                        ReadStepEnergy(Load(), step, what);
                        break;
                    default:
                        SkipElement();
                        break;
                }
            });
            Finish(step);
        }

        private void ReadStepEnergy(XElement energy, Step step, string what)
        {
            var free = Item(energy, "e_fr_energy", what);
            if (energyKind == VasprunEnergy.Free)
            {
                step.Energy = free;
                return;
            }
            var sigma0 = Item(energy, "e_0_energy", what);
            // Some VASP versions write a wrong e_0_energy at the calculation level when van der Waals corrections
            // are on, while the electronic steps' energies lack those corrections; the shift e_0 − e_fr of the last
            // electronic step applied to the calculation's e_fr_energy is right in both cases (ASE does the same).
            step.Energy = step.LastScfSigma0Shift is double shift ? free + shift : sigma0;
            if (Math.Abs(step.Energy.Value - sigma0) > 1e-6) _sigma0Corrected++;
        }

        private void Finish(Step step)
        {
            _current = null;
            var what = $"ionic step {step.Index}";
            if (step.Cell == null || step.Positions == null) throw Error(step.Line, $"{what}: <calculation> has no <structure>");
            if (step.Energy == null) throw Error(step.Line, $"{what}: <calculation> has no <energy> block");
            var structure = new Structure(step.Cell, step.Positions, (string[])_species!.Clone(), $"{_stem}/{step.Index}", _stem)
            {
                Energy = step.Energy,
                Forces = step.Forces,
                Stress = step.Stress,
            };
            _structures.Add(structure);
        }

        /// <summary>Cell (rows of "basis") and Cartesian positions (from the fractional "positions") of a &lt;structure&gt;.</summary>
        private (Cell, Vec3[]) ReadStructure(XElement structure, string what)
        {
            var basis = structure.Element("crystal")?.Elements("varray").FirstOrDefault(v => (string?)v.Attribute("name") == "basis")
                ?? throw Error(LineOf(structure), $"{what}: <structure> has no crystal basis");
            var b = ReadRows(basis, 3, $"{what}: basis");
            Cell cell;
            try
            {
                cell = new Cell(new Vec3(b[0][0], b[0][1], b[0][2]), new Vec3(b[1][0], b[1][1], b[1][2]), new Vec3(b[2][0], b[2][1], b[2][2]));
            }
            catch (ArgumentException e)
            {
                throw Error(LineOf(basis), $"{what}: basis: {e.Message}");
            }
            var positions = structure.Elements("varray").FirstOrDefault(v => (string?)v.Attribute("name") == "positions")
                ?? throw Error(LineOf(structure), $"{what}: <structure> has no positions");
            var fractional = ReadRows(positions, _species!.Length, $"{what}: positions");
            return (cell, fractional.Select(s => cell.ToCartesian(new Vec3(s[0], s[1], s[2]))).ToArray());
        }

        /// <summary>The rows of a varray: exactly <paramref name="count"/> &lt;v&gt; rows of three finite numbers.</summary>
        private double[][] ReadRows(XElement varray, int count, string what)
        {
            var rows = varray.Elements("v").ToList();
            if (rows.Count != count)
                throw Error(LineOf(varray), $"{what}: {rows.Count} rows, expected {count}");
            var result = new double[count][];
            for (var i = 0; i < count; i++)
            {
                var fields = rows[i].Value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length != 3)
                    throw Error(LineOf(rows[i]), $"{what}, row {i + 1}: expected 3 numbers, found {fields.Length}");
                result[i] = new double[3];
                for (var k = 0; k < 3; k++) result[i][k] = Number(fields[k], rows[i], $"{what}, row {i + 1}");
            }
            return result;
        }

        /// <summary>The value of &lt;i name="..."&gt; in an energy block.</summary>
        private double Item(XElement energy, string name, string what)
        {
            var item = energy.Elements("i").FirstOrDefault(i => (string?)i.Attribute("name") == name)
                ?? throw Error(LineOf(energy), $"{what}: the energy block has no {name}");
            return Number(item.Value.Trim(), item, $"{what}: {name}");
        }

        private double Number(string text, XElement where, string what)
        {
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                throw Error(LineOf(where), $"{what}: '{text}' is not a number");
            if (!double.IsFinite(value))
                throw Error(LineOf(where), $"{what}: '{text}' is not a finite number");
            return value;
        }

        /// <summary>
        /// The XML broke off or is malformed. A file that simply ends early (a killed run) keeps the steps completed
        /// before the end; anything else is an error.
        /// </summary>
        private void AcceptBreak(XmlException e)
        {
            var line = e.LineNumber > 0 ? e.LineNumber : (int?)null;
            var reason = TrailingPosition.Replace(e.Message, "");
            if (!EndsAtLine(e.LineNumber))
                throw Error(line, "malformed XML: " + reason, e);
            if (_species == null)
                throw Error(line, "the file ends inside its header, before <atominfo>: " + reason, e);
            // A step whose energy block was complete has all its data; only what VASP writes after it is missing.
            if (_current is { HasEnergy: true } done) Finish(done);
            if (_structures.Count == 0)
                throw Error(line, "the file ends before the first ionic step is complete: " + reason, e);
            var dropped = _current != null ? $"; the incomplete ionic step {_current.Index} (from line {_current.Line}) was dropped" : "";
            _notes.Add($"{path}: the file ends at line {e.LineNumber} (the run was probably interrupted); kept the {_structures.Count} complete ionic step(s){dropped}");
        }

        // The reader reports an unexpected end of file on the line holding the end: newlines + 1.
        private bool EndsAtLine(int line)
        {
            long newlines = 0;
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            var buffer = new byte[1 << 16];
            int n;
            while ((n = stream.Read(buffer, 0, buffer.Length)) > 0) newlines += buffer.AsSpan(0, n).Count((byte)'\n');
            return line >= newlines + 1;
        }

        /// <summary>Anything after &lt;/modeling&gt; is outside the document: ignored (as by ASE), with a note of what it was.</summary>
        private void NoteTrailingContent()
        {
            var end = Line;
            int elements = 0, calculations = 0, first = 0;
            var broken = false;
            try
            {
                while (xml.Read())
                {
                    if (first == 0) first = Line;
                    if (xml.NodeType != XmlNodeType.Element) continue;
                    elements++;
                    if (xml.LocalName == "calculation") calculations++;
                    SkipElement();
                }
            }
            catch (XmlException)
            {
                broken = true;
            }
            if (first == 0) return;
            _notes.Add($"{path}: ignored the content after the end of the <modeling> document (line {end}): from line {first}, " +
                       $"{calculations} <calculation> block(s) and {elements - calculations} other element(s){(broken ? ", not well-formed" : "")}; " +
                       "it is outside the XML document (ASE ignores it too)");
        }

        /// <summary>
        /// Calls <paramref name="onChild"/> for each child element of the current element, with the reader on the
        /// child's start tag; the callback consumes the child, leaving the reader on its last node.
        /// Ends with the reader on this element's end tag.
        /// </summary>
        private void ForEachChild(Action onChild)
        {
            if (xml.IsEmptyElement) return;
            var depth = xml.Depth;
            while (Advance())
            {
                if (xml.NodeType == XmlNodeType.EndElement && xml.Depth == depth) return;
                if (xml.NodeType == XmlNodeType.Element) onChild();
            }
        }

        private bool Advance() =>
            xml.Read() ? true : throw new XmlException("Unexpected end of file.", null, _lineInfo.LineNumber, _lineInfo.LinePosition);

        /// <summary>The current element as a small tree with line numbers; the reader is left on its end tag.</summary>
        private XElement Load()
        {
            using var subtree = xml.ReadSubtree();
            return XElement.Load(subtree, LoadOptions.SetLineInfo);
        }

        private void SkipElement()
        {
            if (xml.IsEmptyElement) return;
            var depth = xml.Depth;
            while (Advance() && !(xml.NodeType == XmlNodeType.EndElement && xml.Depth == depth)) { }
        }

        private string Describe() => xml.NodeType == XmlNodeType.Element ? $"<{xml.Name}>" : $"{xml.NodeType} content";

        private static int? LineOf(XObject node) => node is IXmlLineInfo { LineNumber: > 0 } info ? info.LineNumber : null;

        private DataFormatException Error(int? line, string reason, Exception? inner = null) => new(path, line, reason, inner);

        // XmlException messages end with " Line n, position m." — the line is reported separately.
        private static readonly Regex TrailingPosition = new(@"\s*Line \d+, position \d+\.\s*$", RegexOptions.Compiled);
    }
}
