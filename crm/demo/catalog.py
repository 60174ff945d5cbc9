"""Fixed ingredients of the demo data: users, names, sectors, districts and phrases."""

from __future__ import annotations

from dataclasses import dataclass

from crm.models.organisation import OrgKind


def words(text: str, sep: str | None = None) -> tuple[str, ...]:
    """Split a long literal list written as one string."""
    return tuple(text.split(sep))


# One account per role; the passwords are published in the README for trying the demo.
USERS = (
    ("admin@demo.pe", "Rosa Quispe Huamán", "admin", "Demo-admin-2026", "es"),
    ("manager@demo.pe", "Jorge Salazar Paredes", "manager", "Demo-manager-2026", "es"),
    ("staff@demo.pe", "Milagros Rojas Vega", "staff", "Demo-staff-2026", "es"),
    ("staff2@demo.pe", "Renzo Castillo Tello", "staff", "Demo-staff2-2026", "es"),
    ("liaison@demo.pe", "Carmen Villanueva Díaz", "liaison", "Demo-liaison-2026", "es"),
    ("viewer@demo.pe", "Diego Alvarado Cruz", "viewer", "Demo-viewer-2026", "es"),
)
STAFF_EMAILS = ("staff@demo.pe", "staff2@demo.pe")
LIAISON_EMAIL = "liaison@demo.pe"
LIAISON_ASSOCIATION = "Sociedad Nacional de Industrias"

# How the co-finance table names the type of each source, mapped to organisation kinds.
COFINANCIER_KINDS = {
    "private": OrgKind.COMPANY,
    "government": OrgKind.GOVERNMENT,
    "donor": OrgKind.DONOR,
    "industrial association": OrgKind.ASSOCIATION,
    "implementing agency": OrgKind.IMPLEMENTING_AGENCY,
}
# Plausible ISIC divisions of the co-financing companies (the table does not say).
COFINANCIER_SECTORS = {
    "AGENCIA PARA LA PROTECCIÓN DE LOS RECURSOS NATURALES": "38",
    "CLIMBER WORLD PERU": "28",
    "COERIMAR EIRL": "33",
    "APROPA": "22",
    "R&G": "25",
    "CICLO – MP RECICLA SAC": "38",
    "CITE ENERGÍA – SILICON TECHNOLOGY S.A.C.": "71",
    "MECANICA E HIDRAULICA GALEX SAC": "25",
    "CER/GRUPO GEA": "71",
    "IZAJES DEL PERÚ S.A.C.": "77",
    "J&S FERRETERIA INDUSTRIAL S.A.C": "25",
    "MARCO PERUANA S.A.C.": "28",
    "PURE BIOFUELS DEL PERU S.A.C.": "19",
    "REACTIVOS NACIONALES S.A.": "20",
    "RF CAPITAL SRL": "64",
    "TALMA SERVICIOS AEROPORTUARIOS S.A.": "52",
    "Exalmar": "10",
    "IMPALA TERMINALS": "52",
    "ETNA": "27",
    "TASA": "10",
    "Corp.REY": "25",
    "FUNVESA": "24",
    "UNITRADE S.A.C.": "46",
    "INDUSTRIAS DEL ZINC S.A.": "24",
    "PAMOLSA": "22",
    "Paraiso": "31",
    "SMI - Reciclado PET": "38",
    "La Colonial": "10",
    "FADESA": "25",
    "AGRIPROCESS S.A.C.": "10",
    "EHF Industrial": "25",
    "AMFA VITRUM": "23",
    "Frio Aereo": "52",
}


@dataclass(frozen=True)
class SectorSpec:
    """How generated companies of one ISIC division look."""

    code: str
    weight: int
    prefixes: tuple[str, ...]
    upops: float  # share of companies that emit u-POPs (foundries, boilers, incineration)
    gas: float  # share of companies that burn natural gas


SECTORS = (
    SectorSpec(
        "25", 40, ("Metalmecánica", "Maestranza", "Estructuras Metálicas", "Industrias Metálicas"), 0.15, 0.5
    ),
    # Weighted up so that about 30 foundries show the sector's "one in six" conversion.
    SectorSpec("24", 30, ("Fundición", "Fundiciones", "Aceros", "Metales"), 0.9, 0.8),
    SectorSpec("10", 40, ("Pesquera", "Conservera", "Alimentos", "Molinera", "Harinas"), 0.35, 0.7),
    SectorSpec("11", 8, ("Bebidas", "Embotelladora"), 0.1, 0.8),
    SectorSpec("20", 18, ("Química", "Industrias Químicas", "Pinturas", "Productos Químicos"), 0.3, 0.7),
    SectorSpec("22", 20, ("Plásticos", "Envases", "Polímeros"), 0.05, 0.4),
    SectorSpec("38", 16, ("Recicladora", "Reciclaje", "Recuperadora de Metales"), 0.4, 0.2),
    SectorSpec("23", 12, ("Vidriería", "Cristalería", "Cerámicos", "Ladrillera"), 0.3, 0.9),
    SectorSpec("52", 20, ("Logística", "Almacenes", "Terminal de Carga", "Depósito"), 0.0, 0.1),
)
NAME_CORES = words(
    "del Pacífico|Chalaca|San Martín|Santa Rosa|Los Andes|Inca|Nazca|Chavín|Huáscar|La Perla|"
    "Mar Azul|Sol Naciente|Miramar|Bellavista|San Lorenzo|Puerto Nuevo|El Dorado|Costa Sur|"
    "Amauta|Condor|Rímac|Chillón|Sechura|Paracas|Huanchaco|Pachacámac|Lurín|Chilca|Oquendo|"
    "Márquez|Gambetta|Faucett|Argentina|Colonial|Atlántida|Andina|Peruana|Nacional|Industrial|"
    "Quispe Hermanos|Rojas & Asociados|Huamán|Vásquez|Mendoza|Salazar|Paredes|Cárdenas|Zegarra|"
    "Valdivia|Ccahuana|Tello|Palacios|Medina",
    "|",
)
LEGAL_FORMS = ((" S.A.C.", 60), (" S.A.", 20), (" E.I.R.L.", 15), (" S.R.L.", 5))
SIZES = (("micro", 10), ("small", 35), ("medium", 35), ("large", 20))
# Districts of the Callao industrial zone and its neighbours, by INEI ubigeo.
DISTRICTS = (
    ("070101", 50),
    ("070106", 25),
    ("070102", 8),
    ("070103", 6),
    ("150119", 25),
    ("150505", 14),
    ("150124", 6),
    ("150142", 18),
    ("150103", 20),
    ("150135", 10),
    ("150137", 6),
    ("150118", 6),
    ("150509", 3),
    ("150513", 2),
    ("150504", 1),
)
COMPANY_COUNT = 200

FEMALE = words(
    "María Rosa Carmen Ana Lucía Patricia Julia Elena Gabriela Milagros Jessica Karina Roxana "
    "Sofía Valeria Diana Silvia Claudia Fiorella Liliana Yolanda Mercedes Pilar Verónica "
    "Giovanna Katherine Vanessa Ruth"
)
MALE = words(
    "José Luis Carlos Jorge Juan Miguel César Víctor Manuel Pedro Ricardo Raúl Fernando Alberto "
    "Óscar Hugo Walter Javier Eduardo Martín Renzo Diego Gustavo Alfredo Enrique Julio Percy "
    "Wilmer Edwin Marco"
)
SURNAMES = words(
    "Quispe Flores Sánchez Rodríguez García Rojas Huamán Mamani Vásquez Chávez Ramírez Torres "
    "Mendoza Díaz Castillo Gutiérrez Espinoza Vargas Romero Ramos Cruz Salazar Reyes Morales "
    "Paredes Castro Herrera Medina Aguilar Cárdenas Palacios Villanueva Condori Huaranga Tello "
    "Zegarra Valdivia Alvarado Gonzales Ñahui Yupanqui Li Nakamura Ferreyra"
)
# Positions as (masculine, feminine) titles, chosen by the contact's gender.
COMPANY_POSITIONS = (
    ("Gerente General", "Gerente General"),
    ("Jefe de Planta", "Jefa de Planta"),
    ("Gerente de Operaciones", "Gerente de Operaciones"),
    ("Jefe de Mantenimiento", "Jefa de Mantenimiento"),
    ("Coordinador de Medio Ambiente", "Coordinadora de Medio Ambiente"),
    ("Jefe de Seguridad, Salud y Medio Ambiente", "Jefa de Seguridad, Salud y Medio Ambiente"),
    ("Gerente de Administración y Finanzas", "Gerente de Administración y Finanzas"),
    ("Jefe de Producción", "Jefa de Producción"),
    ("Ingeniero de Procesos", "Ingeniera de Procesos"),
)
STAKEHOLDER_POSITIONS = {
    "association": (
        ("Gerente de Estudios Económicos", "Gerente de Estudios Económicos"),
        ("Coordinador de Comités Gremiales", "Coordinadora de Comités Gremiales"),
        ("Asesor Técnico", "Asesora Técnica"),
    ),
    "government": (
        ("Director General de Asuntos Ambientales", "Directora General de Asuntos Ambientales"),
        ("Especialista en Cambio Climático", "Especialista en Cambio Climático"),
        ("Coordinador de Proyectos", "Coordinadora de Proyectos"),
    ),
    "bank": (
        ("Ejecutivo de Banca Corporativa", "Ejecutiva de Banca Corporativa"),
        ("Especialista en Finanzas Verdes", "Especialista en Finanzas Verdes"),
    ),
    "technology_provider": (
        ("Gerente Comercial", "Gerente Comercial"),
        ("Ingeniero de Proyectos", "Ingeniera de Proyectos"),
    ),
}
OTHER_POSITIONS = (
    ("Coordinador de Proyectos", "Coordinadora de Proyectos"),
    ("Oficial de Programa", "Oficial de Programa"),
    ("Investigador Principal", "Investigadora Principal"),
)
CONSULTANT_POSITIONS = (
    ("Consultor en eficiencia energética", "Consultora en eficiencia energética"),
    ("Consultor ambiental", "Consultora ambiental"),
    ("Auditor energético", "Auditora energética"),
    ("Especialista en COP no intencionales", "Especialista en COP no intencionales"),
    ("Ingeniero consultor en combustión", "Ingeniera consultora en combustión"),
)
INTERACTION_KINDS = (
    ("call", 30),
    ("email", 25),
    ("meeting", 20),
    ("virtual_meeting", 12),
    ("site_visit", 10),
    ("other", 3),
)
SUMMARIES = {
    "call": (
        "Llamada para presentar el proyecto y coordinar una primera reunión.",
        "Llamada de seguimiento sobre la carta de interés.",
        "Llamada para confirmar la fecha de la visita técnica.",
    ),
    "email": (
        "Envío de la presentación del proyecto y del formato de carta de interés.",
        "Envío del resumen de la reunión y de la lista de información requerida.",
        "Correo recordando el envío de los recibos de electricidad y gas.",
    ),
    "meeting": (
        "Reunión con la gerencia para presentar el programa de descarbonización industrial.",
        "Reunión para revisar el potencial de reducción de emisiones.",
        "Reunión de coordinación con el gremio y la empresa.",
    ),
    "virtual_meeting": (
        "Reunión virtual para explicar la asistencia técnica y el cofinanciamiento.",
        "Videollamada con el jefe de planta sobre la prefactibilidad.",
    ),
    "site_visit": (
        "Visita a planta para levantar información de consumo energético.",
        "Recorrido por hornos y calderos con el equipo técnico.",
    ),
    "other": ("Participación en taller de sensibilización organizado con el gremio.",),
}
OUTCOMES = (
    "Interesados; solicitan más información.",
    "Pendiente respuesta de la gerencia.",
    "No es prioridad por ahora; retomar en seis meses.",
    "Aceptan la visita técnica.",
    "Temen que la información de proceso llegue al regulador; se explicó la confidencialidad.",
    "Firmarán la carta de interés tras aprobación del directorio.",
)
FOLLOW_UPS = (
    "Enviar formato de carta de interés",
    "Llamar para confirmar fecha de visita técnica",
    "Solicitar recibos de luz y gas de los últimos 12 meses",
    "Enviar informe de la visita técnica",
    "Coordinar reunión con el gremio",
    "Recordar firma de la carta de interés",
)
