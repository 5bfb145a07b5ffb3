"""The English word lists that source resolution and typing (`stanceclf.sources`) rely on."""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


PRONOUNS = _words("he she him her his hers they them their it its i we")
PERSON_PRONOUNS = _words("he she him her his hers")
HONORIFICS = _words("mr mrs ms mx dr prof sir dame madam professor")
SUFFIXES = _words("inc ltd plc llc kc qc ag gmbh")
TITLES = _words(
    "minister secretary spokesperson spokesman spokeswoman president vice chairman chairwoman chair chairperson chief "
    "executive director governor gov sen senator rep representative congressman congresswoman mayor judge justice "
    "prosecutor inspector detective sergeant superintendent supt constable commissioner ambassador envoy leader "
    "secretary-general general attorney officer head premier chancellor speaker lawmaker deputy mp councillor "
    "registrar ombudsman negotiator co-founder founder commander colonel coach treasurer auditor-general "
    "administrator dean rector sheriff magistrate chairs heads directs runs leads led oversees manages governs "
    "cabinet presiding counsel prosecuting member doctor defender captain director-general ceo cfo coo cto "
    "candidate nominee front-runner frontrunner hopeful undersecretary admiral rabbi pope lt col")
PERSON_ROLES = _words(
    "lawyer lawyers attorney barrister solicitor counsel researcher analyst economist scientist professor prof "
    "lecturer consultant expert historian criminologist physiologist former agent farmer farms student narrator "
    "volunteer worker teacher author writer activist batter forward player athlete runner man woman resident manager "
    "studies ophthalmologist hepatologist epidemiologist whose retired sister brother wife husband son daughter "
    "mother father widow")
OFFICIAL_OVERRIDE = _words("prosecuting prosecutor u.s u.s. district general")
ANON_PLURAL = _words(
    "sources people officials analysts critics aides executives diplomats residents witnesses experts observers "
    "insiders economists investors traders lawyers doctors researchers scientists investigators prosecutors officers "
    "members delegates deputies lawmakers legislators activists supporters opponents defenders advocates groups "
    "relatives families workers farmers employers leaders organisers organizers managers teachers students parents "
    "fans players colleagues employees staff directors presidents ministers epidemiologists criminologists startups "
    "companies dealers brokers operators publishers narrators schools conferences respondents regulators authorities "
    "bankers historians academics physicians campaigners villagers locals voters consumers customers users citizens "
    "protesters survivors victims soldiers engineers owners shareholders creditors bondholders negotiators agents "
    "executives nurses police-sources unions specialists scholars neighbours neighbors elders astronomers fishermen "
    "regulars commuters passengers patients pensioners tenants drivers")
ANON_SINGULAR = _words(
    "source person official aide executive spokesperson spokesman spokeswoman diplomat doctor nurse member "
    "investigator resident relative colleague peer graduate insider lawyer employee worker officer someone analyst "
    "expert adviser advisor witness negotiator delegate lawmaker minister")
INDEFINITE = _words("a an one another some several many two three four five six few most both multiple various other")
DOC_NOUNS = _words(
    "report reports statement statements filing filings poll polls survey surveys study studies data figures estimate "
    "estimates letter draft agreement communique communiqué indictment ruling decision summary plan proposal "
    "manifesto guidance results findings audit paper analysis note leaflet census document documents records "
    "transcript memo memorandum review assessment forecast projections bulletin release notice judgment judgement "
    "verdict complaint lawsuit petition minutes dossier index ranking tally database register decree resolution "
    "guidelines evidence testimony video footage message email emails notes contract accord treaty declaration "
    "warrant affidavit submission prospectus statistics numbers order papers sheet budget")
MEDIA_WORDS = _words(
    "newspaper daily broadcaster television tv radio magazine tabloid weekly station channel outlet wire news "
    "newswire site")
OUTLETS = _words(
    "reuters ap afp bloomberg bbc cnn nhk yonhap xinhua tass belta kyodo interfax dpa efe ansa pti petra mena wafa "
    "anadolu irna kcna yomiuri asahi mainichi politico axios caixin ria ndtv abc cbs nbc cbc rte monde spiegel "
    "guardian times post journal herald gazette tribune courier telegraph mirror express chronicle observer ekhbariya "
    "al-masirah nation")
ORG_WORDS = _words(
    "agency ministry department commission committee council office authority bureau service institute institution "
    "foundation federation association union league party bank fund university college school court tribunal board "
    "group corp corporation co inc ltd plc llc company holdings systems solutions airways airlines motors telecom "
    "mobile industries international organization organisation network alliance society club centre center centers "
    "hospital clinic unit forum observatory government parliament assembly congress senate army force forces navy "
    "directorate administration secretariat coalition front movement trust watch nations exchange securities advisors "
    "partners capital therapeutics kliniken treasury presidency labs technologies consortium cooperative initiative "
    "programme program panel s.a confederation collective chamber")
ORG_NOUNS = ORG_WORDS | _words(
    "firm startup start-up maker miner operator lender chain retailer publisher developer distributor insurer carrier "
    "airline platform team opposition regulator watchdog body manufacturer producer supplier consultancy charity ngo "
    "monitor steelmaker chipmaker automaker group")
# Role nouns that resolve only to an earlier mention carrying them ("the Cabana Agricultural Cooperative"),
# never to the article's most frequent organisation: too many articles use them for a new body.
STRICT_ROLE_NOUNS = _words("group cooperative consortium district trust foundation alliance coalition forum fund")
ROLE_NOUNS = STRICT_ROLE_NOUNS | (ORG_NOUNS - ORG_WORDS) | _words(
    "company ministry agency board federation unit commission department hospital service administration network "
    "council union court committee office institute authority bureau league party association organisation "
    "organization minister judge official spokesperson spokesman spokeswoman aide police prosecutor governor "
    "president chairman director envoy secretary bank directorate confederation collective panel mayor councillor "
    "chairwoman chair director-general commissioner ambassador diplomat senator chancellor admiral candidate "
    "nominee analyst expert founder pope") - _words("opposition chain")
# Abbreviated titles, for role nouns: "Sen. Bernie Sanders" ... "the senator".
ABBREVIATED = {"gov": "governor", "sen": "senator", "rep": "representative", "adm": "admiral", "gen": "general",
               "col": "colonel", "lt": "lieutenant", "supt": "superintendent", "pres": "president"}
# Plain speech verbs: a cue ends with them; what follows is the addressee, the time, the manner or the
# channel ("said in a statement", "told CNN", "replied Wednesday"), not the cue.
SAYING_VERBS = _words(
    "said says say saying told tells tell telling wrote writes tweeted tweets added adds noted notes stated states "
    "declared declares announced announces explained explains warned warns insisted insists sang sings confirmed "
    "confirms denied denies replied replies responded responds joked jokes claimed argued argues asserted asserts "
    "acknowledged acknowledges admitted admits conceded concedes remarked testified testifies reiterated reiterates "
    "scoffed quipped recalled recalls countered counters stressed stresses emphasized emphasised asked asks")
# Who a speaker tells that stays in the cue: "told reporters", "told a news conference", "told the audience".
AUDIENCES = _words("reporters journalists audience conference briefing crowd rally")
# Words around a reporting verb that are not part of its cue ("also said", "said Wednesday").
TIME_WORDS = _words(
    "today yesterday tonight monday tuesday wednesday thursday friday saturday sunday morning afternoon evening "
    "night week weekend month year earlier later meanwhile recently")
CUE_LEAD = TIME_WORDS | _words("also even instead always soon just again then still now once further first "
                               "previously often already initially to")
MONTHS = _words("january february march april june july august september october november december")
HEDGES = _words("reportedly allegedly reputedly supposedly purportedly")  # -ly words that stay in a cue
# Things named after people or firms ("The Rachel Maddow Show", "Trump International Hotel"): not who speaks.
THINGS = _words("show hotel hotels tower towers stadium arena cup trophy prize award awards series program "
                "programme podcast app plaza building center centre")
CONNECT = _words("of on for and & the")
ROLE_ADJ = _words("governing national federal state provincial regional local central")
LOCATIVE = _words("in at from to near into across outside inside toward towards through")
PARTICLES = _words("de da do dos das del della la le van von der den ter al el bin ibn y du des di")
BREAKS = _words(
    "at in of for from with to close familiar briefed who whose that on near speaking compiled published filed "
    "released sent presented by known named backed based which when after before during commissioned submitted "
    "prepared seen read obtained drafted issued produced conducted signed circulated leaked shared")
STOP = _words(
    "the a an but and or she he it they its his her their this that these those in on at for with after before while "
    "when as by from to of most some many several yet still here there what we i our if since until although though "
    "also meanwhile however last next earlier later monday tuesday wednesday thursday friday saturday sunday january "
    "february march april may june july august september october november december jan feb mar apr jun jul aug sep "
    "sept oct nov dec photo read by according among opening one two three four five six seven eight nine ten "
    "dozens hundreds thousands")
ABBREV = HONORIFICS | TITLES | _words("corp co inc ltd jr sr st gov sen rep supt no")
COMMON = ANON_PLURAL | ANON_SINGULAR | DOC_NOUNS | ROLE_NOUNS | PERSON_ROLES | TITLES | _words("police newspaper")
