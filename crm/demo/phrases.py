"""Fixed texts of the demo pipeline, letters and events (Spanish, as staff write them)."""

from __future__ import annotations

from datetime import date

# Notes staff write when a company moves forward (not every move has one).
FORWARD_NOTES = {
    "contacted": (
        "Primer contacto por teléfono con la gerencia; se envió la presentación del proyecto.",
        "Contacto a través del gremio; interesados en conocer el programa.",
    ),
    "meeting_held": (
        "Reunión con la gerencia general y el jefe de planta.",
        "Reunión virtual de presentación; priorizada por su consumo de gas natural.",
        "Visita de presentación a la planta con el equipo técnico.",
    ),
    "loi_signed": ("Carta de interés firmada por la gerencia general.",),
    "assessed": (
        "Diagnóstico energético y de emisiones completado.",
        "Evaluación del potencial de reducción de emisiones entregada a la empresa.",
    ),
    "technical_assistance": (
        "Inicio de la asistencia técnica de prefactibilidad con consultora nacional.",
        "Asistencia técnica en hornos y calderos en curso.",
    ),
    "feasibility_delivered": ("Estudio de factibilidad entregado y presentado al directorio.",),
    "adopting": (
        "La empresa invirtió en el cambio de quemadores y la recuperación de calor.",
        "Inversión en variadores de velocidad y aislamiento térmico ejecutada.",
    ),
}
# Why companies leave, as staff note it, by barrier code (data/barriers.csv).
EXIT_NOTES = {
    "fear_of_inspection": (
        "Temen que los datos de proceso lleguen a OEFA; se explicó la confidencialidad sin éxito.",
        "La gerencia no autoriza compartir datos de emisiones por temor a fiscalización.",
    ),
    "economic_situation": (
        "Caída de ventas por la pandemia; sin presupuesto para nuevos proyectos.",
        "La empresa reduce operaciones por la situación económica; retomar más adelante.",
    ),
    "not_priority": (
        "La reconversión no es prioridad este año; prefieren esperar.",
        "La gerencia prioriza la ampliación de planta.",
    ),
    "no_resources": (
        "No cuentan con personal técnico para acompañar el diagnóstico.",
        "Sin recursos para la contrapartida que exige el proyecto.",
    ),
    "no_regulatory_pressure": ("Sin exigencia normativa no ven razón para cambiar.",),
    "delays": (
        "La demora en el inicio de la asistencia técnica hizo que perdieran interés.",
        "Los plazos del proyecto no calzan con su calendario de inversiones.",
    ),
    "relocated": ("La planta se trasladó fuera de la zona del proyecto.",),
    "other": ("Cambio de propietarios; el nuevo directorio revisará su participación.",),
}
PAUSE_NOTE = "Participación en pausa por la emergencia sanitaria; la planta opera a media capacidad."
RESUME_NOTE = "Retoman la participación tras la reactivación; reunión con la nueva gerencia."
REQUESTED_LETTER_NOTE = "Carta de interés enviada para firma; pendiente de aprobación del directorio."
LETTER_NOTE = "Carta de interés firmada (original en archivo del proyecto)."

# Letters of intent for cooperation: (organisation, status, requested, received/signed).
COOPERATION = (
    ("Ministerio de la Producción", "signed", date(2020, 1, 20), date(2020, 3, 2)),
    ("Ministerio del Ambiente", "signed", date(2020, 6, 1), date(2020, 11, 16)),
    ("Ministerio de Transportes y Comunicaciones", "signed", date(2021, 1, 18), date(2021, 4, 20)),
    ("Gobierno Regional del Callao", "received", date(2022, 3, 7), date(2022, 6, 14)),
    ("Organismo de Evaluación y Fiscalización Ambiental", "requested", date(2026, 4, 6), None),
)
COOPERATION_NOTE = "Carta de intención de cooperación con el proyecto."

ZIS, PEI = "ZIS-CALLAO", "PEI"
# Awareness events before the mid-term: (title, date, place, online, programme, first-timers, repeaters).
AWARENESS = (
    ("Lanzamiento del programa Zona Industrial Sostenible del Callao", date(2020, 2, 20),
     "Cámara de Comercio y Producción del Callao", False, ZIS, 55, 0),
    ("Webinar: eficiencia energética para la reactivación industrial", date(2020, 8, 13),
     None, True, ZIS, 38, 8),
    ("Seminario: COP no intencionales en fundiciones y recicladoras", date(2020, 11, 19),
     None, True, ZIS, 42, 10),
    ("Foro de descarbonización de la industria del Callao", date(2021, 3, 25),
     "Sociedad Nacional de Industrias", False, ZIS, 48, 12),
    ("Desayuno empresarial: cofinanciamiento de proyectos de producción limpia", date(2021, 5, 13),
     "Cámara de Comercio de Lima", False, ZIS, 35, 9),
    ("Jornada de parques eco-industriales en Lurín", date(2021, 6, 17),
     "Municipalidad de Lurín", False, PEI, 32, 11),
)  # fmt: skip
# Trainings: (title, date, place, online, module, gender-specific, attendees).
TRAININGS = (
    ("Curso: eficiencia energética en hornos y calderos", date(2022, 5, 12),
     "Universidad Nacional de Ingeniería", False, "Módulo 1 – Eficiencia energética en sistemas térmicos",
     False, 28),
    ("Curso: inventario y control de COP no intencionales", date(2023, 8, 24),
     None, True, "Módulo 2 – Inventario y reducción de COP no intencionales", False, 24),
    ("Taller para mujeres gestoras de energía en la industria", date(2025, 3, 6),
     "Mujeres en la Industria Perú", False, "Módulo 3 – Sistemas de gestión de la energía (ISO 50001)",
     True, 18),
)  # fmt: skip
# Upcoming events (after the design's last day, so after the seeding day): no attendance yet.
UPCOMING = (
    ("Curso: medición y verificación de ahorros de energía", "training", date(2026, 7, 16),
     "Universidad Nacional de Ingeniería", "Módulo 4 – Medición y verificación de ahorros (IPMVP)"),
    ("Comité Directivo del Proyecto – sesión 8", "steering_committee", date(2026, 12, 3),
     "Ministerio de la Producción", None),
)  # fmt: skip
STEERING_TITLE = "Comité Directivo del Proyecto – sesión %d"
STEERING_DATES = (
    date(2020, 1, 28),
    date(2020, 12, 10),
    date(2021, 12, 9),
    date(2022, 12, 7),
    date(2023, 12, 6),
    date(2024, 12, 5),
    date(2025, 12, 4),
)
STEERING_PLACE = "Ministerio de la Producción"
# Organisations whose people sit on the steering committee.
STEERING_KINDS = ("government", "donor", "implementing_agency")
STEERING_ASSOCIATIONS = ("Sociedad Nacional de Industrias", "Cámara de Comercio de Lima")
