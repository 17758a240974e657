"""The roster the understanding tests read with: subjects like the demo's, and tutors whose
names test the hard cases (a name shared by two tutors, names that are also English words,
an accented name)."""

from chat.assistant.understanding import SubjectTerm, Vocabulary

MAYA, HANA, PRIYA, WILL, CHRIS_N, CHRIS_D, INES, MARCUS, SAM, GRACE = range(1, 11)

VOCABULARY = Vocabulary(
    subjects=(
        SubjectTerm("Python", ("py", "python3", "python 3"), ("CS 110A", "CS 131B")),
        SubjectTerm("Java", ("jdk",), ("CS 111B",)),
        SubjectTerm("JavaScript", ("js", "node"), ("CS 130A",)),
        SubjectTerm("C++", ("cpp", "c plus plus"), ("CS 110B",)),
        SubjectTerm("MIPS Assembly", ("mips", "assembly"), ("CS 270",)),
        SubjectTerm("SQL", ("db", "database", "databases"), ("CS 132A",)),
        SubjectTerm("Data Structures", ("ds", "algorithms"), ("CS 111C",)),
        SubjectTerm("Statistics", ("stats", "stat"), ("MATH 80",)),
        SubjectTerm("Calculus", ("calc", "calc 1", "calc 2"), ("MATH 110A",)),
        SubjectTerm("Discrete Math", ("discrete",), ("MATH 115",)),
        SubjectTerm("Linux", ("unix", "bash"), ("CS 160A",)),
        SubjectTerm("Chemistry", ("chem",), ("CHEM 1010",)),
    ),
    tutors=(
        (MAYA, "Maya Chen"),
        (HANA, "Hana Kim"),
        (PRIYA, "Priya Raman"),
        (WILL, "Will Okoye"),
        (CHRIS_N, "Chris Nakamura"),
        (CHRIS_D, "Chris Delgado"),
        (INES, "Inês Carvalho"),
        (MARCUS, "Marcus Bell"),
        (SAM, "Sam Whitford"),
        (GRACE, "Grace Liu"),
    ),
)
